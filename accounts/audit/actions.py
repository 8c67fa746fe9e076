"""Every action code the audit trail knows, with the words an admin reads on the audit page.

One catalogue, so a filter for an unknown action is refused (``audit.action_unknown``)
instead of silently matching nothing, and so a code is spelled once. A route that
changes state under a staff, finance or admin guard names its code(s) in its
``opt={"audit": ...}``; the route walk (tests/accounts/test_audit_walk.py) holds every
such route to it.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    # People, roles, programs, organizations (admin).
    "role.grant": "Granted a role",
    "role.revoke": "Revoked a role",
    "program.create": "Created a program",
    "program.staff.add": "Assigned program staff",
    "program.staff.remove": "Removed program staff",
    "program.rules.update": "Changed a program's rules",
    "organization.create": "Created an organization",
    "organization.member.add": "Added someone to an organization",
    "person.view": "Looked at a person's record",
    # Sign-in security (the person themselves).
    "two_factor.enable": "Turned on two-factor sign-in",
    "two_factor.disable": "Turned off two-factor sign-in",
    "two_factor.recovery_codes": "Made new recovery codes",
    "two_factor.recovery_used": "Signed in with a recovery code",
    # Events (program staff).
    "event.create": "Created an event",
    "event.update": "Changed an event",
    "event.reschedule": "Rescheduled an event",
    "event.publish": "Published an event",
    "event.cancel": "Cancelled an event",
    "session.create": "Added a session",
    "session.update": "Changed a session",
    "session.reschedule": "Rescheduled a session",
    "session.cancel": "Cancelled a session",
    "track.create": "Added a track",
    "track.update": "Renamed a track",
    "track.delete": "Removed a track",
    "ticket_type.create": "Added a ticket type",
    "ticket_type.update": "Changed a ticket type",
    "ticket_type.deactivate": "Deactivated a ticket type",
    "registration.check_in": "Checked someone in",
    "registration.check_in.undo": "Undid a check-in",
    "speaker.invite": "Invited a speaker",
    "speaker.withdraw": "Withdrew a speaker",
    # Cohorts (program staff).
    "cohort.create": "Created a cohort",
    "cohort.policy.update": "Changed a cohort's attendance policy",
    "cohort.session.create": "Added a cohort session",
    "cohort.session.remove": "Removed a cohort session",
    "cohort.invitation.create": "Invited someone to a cohort",
    "cohort.mentor.add": "Added a mentor to a cohort",
    "enrollment.create": "Enrolled someone",
    "enrollment.accept": "Accepted an application",
    "enrollment.reject": "Rejected an application",
    "enrollment.mentor": "Assigned a mentor",
    "enrollment.move": "Moved an enrollment to another cohort",
    "enrollment.paid": "Recorded an enrollment as paid",
    "enrollment.sign_off": "Signed off an enrollment",
    "attendance.mark": "Marked attendance",
    "attendance.import": "Imported an attendance report",
    "attendance.sync": "Synced check-ins into attendance",
    "attendance.unmatched.resolve": "Matched an unmatched attendee",
    "attendance.unmatched.dismiss": "Dismissed an unmatched attendee",
    "certificate.issue": "Issued certificates",
    "certificate.revoke": "Revoked a certificate",
    "deliverable.review": "Reviewed a deliverable",
    "fellows.rung.grant": "Granted a fellows rung",
    # Library and directory (program staff).
    "library_item.create": "Added a library item",
    "library_item.update": "Changed a library item",
    "library_item.publish": "Published a library item",
    "library_item.unpublish": "Unpublished a library item",
    "prerequisite.add": "Added a cohort prerequisite",
    "prerequisite.remove": "Removed a cohort prerequisite",
    "directory.submission.approve": "Approved a directory submission",
    "directory.submission.reject": "Rejected a directory submission",
    "directory.claim.approve": "Approved a listing claim",
    "directory.claim.reject": "Rejected a listing claim",
    # Messages.
    "message.retry": "Retried a message",
    # Money (finance).
    "refund.create": "Refunded a payment",
    "refund.replay": "Sent a refund again (the first request stood; no second refund)",
    "reconciliation.run": "Ran a reconciliation",
    "reconciliation.record_missing": "Recorded missing ledger lines",
    "billing_alert.resolve": "Resolved a billing alert",
    # Exports of personal data (every one is recorded).
    "export.roster_csv": "Exported an event roster",
    "export.cohort_roster_csv": "Exported a cohort roster",
    "export.ledger_csv": "Exported the ledger",
    "export.payments_csv": "Exported payments",
    "export.audit_csv": "Exported the audit trail",
    "export.person_data": "Downloaded their own data",
    # Records: retention, legal holds, data rights.
    "legal_hold.place": "Placed a legal hold",
    "legal_hold.release": "Released a legal hold",
    "retention.run": "Applied the retention schedule",
    "erasure.request": "Asked for erasure",
    "erasure.decline": "Declined an erasure request",
    "person.erase": "Erased a person",
}


def is_known(code: str) -> bool:
    return code in ACTIONS
