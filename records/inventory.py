"""The records inventory: every table of every app, what it holds, and how long the site keeps it.

One source: docs/records.md is this inventory rendered (``python -m records.inventory``
prints it; a test fails when the two differ), and a test fails when a table exists
that the inventory does not classify or when the inventory names one that does not
exist. The retention schedule (records.services.retention) acts on the classes;
the periods are the settings' defaults (grandrounds.settings.RetentionPeriods),
each overridable by ``GRANDROUNDS_RETENTION_<CLASS>_DAYS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from grandrounds.settings import RETENTION_FLOORS, RetentionPeriods, retention_variable


class RetentionClass(StrEnum):
    ATTENDEE = "attendee"
    GUEST_ACCOUNT = "guest_account"
    MESSAGE_BODY = "message_body"
    CREDENTIAL = "credential"
    CME = "cme"
    LEDGER = "ledger"
    AUDIT = "audit"
    CONTENT = "content"
    REFERENCE = "reference"


# What the schedule does to a class once its period has passed, and from when the period counts.
TREATMENT: dict[RetentionClass, str] = {
    RetentionClass.ATTENDEE: "after the event ends: attendees are anonymized when nothing newer keeps them",
    RetentionClass.GUEST_ACCOUNT: "without activity: never-verified and guest-only accounts are anonymized",
    RetentionClass.MESSAGE_BODY: "after queuing: the body is blanked, the record of sending stays",
    RetentionClass.CREDENTIAL: "after expiry, use or revocation: deleted",
    RetentionClass.CME: "legal minimum: kept, never purged by this code",
    RetentionClass.LEDGER: "legal minimum: kept, never purged by this code",
    RetentionClass.AUDIT: "after the action: purged through the declared audit purge",
    RetentionClass.CONTENT: "kept",
    RetentionClass.REFERENCE: "kept",
}


def default_period(retention: RetentionClass) -> str:
    """The default period of a class in words, as docs/records.md states it."""
    if retention in (RetentionClass.CONTENT, RetentionClass.REFERENCE):
        return "kept"
    days = getattr(RetentionPeriods(), retention.value)
    floor = " (minimum)" if retention.value in RETENTION_FLOORS else ""
    return f"{days:,} days{floor}"


@dataclass(frozen=True, slots=True)
class Entry:
    table: str
    holds: str
    legal_record: bool
    retention: RetentionClass
    keeps: str  # what anonymizing a person leaves in this table


A, G, M, CR, CME, L, AU, CO, R = (
    RetentionClass.ATTENDEE,
    RetentionClass.GUEST_ACCOUNT,
    RetentionClass.MESSAGE_BODY,
    RetentionClass.CREDENTIAL,
    RetentionClass.CME,
    RetentionClass.LEDGER,
    RetentionClass.AUDIT,
    RetentionClass.CONTENT,
    RetentionClass.REFERENCE,
)
ALL = "everything (no personal text)"

INVENTORY: tuple[Entry, ...] = (
    # accounts
    Entry("accounts_person", "people: name, email, degree, time zone, password hash", False, G,
          "id, time zone, dates; degree while a CME record of theirs runs; name and email pseudonymized, "
          "password unusable, inactive"),
    Entry("accounts_role_grant", "who held which role, granted and revoked by whom", False, R, ALL),
    Entry("accounts_organization", "member organizations and their leader", False, R, ALL),
    Entry("accounts_organization_member", "colleagues belonging to an organization", False, R, ALL),
    Entry("accounts_session", "sign-in sessions (hash of the cookie)", False, CR,
          "the row; open sessions revoked"),
    Entry("accounts_api_token", "personal API tokens (hash, name)", False, CR,
          "the row; open tokens revoked, the name blanked"),
    Entry("accounts_sign_in_failure", "failed sign-ins by address (rate limit)", False, CR,
          "the row; address pseudonymized"),
    Entry("accounts_program", "programs the network runs", False, CO, ALL),
    Entry("accounts_program_staff", "who runs which program", False, R, ALL),
    Entry("accounts_password_reset", "password reset links (hash)", False, CR, "the row; unused links spent"),
    Entry("accounts_two_factor", "a person's TOTP authenticator (sealed secret)", False, CR,
          "the row (no sign-in is possible: password unusable, account inactive)"),
    Entry("accounts_recovery_code", "second-factor recovery codes (hash)", False, CR,
          "the row; unused codes spent"),
    Entry("accounts_sign_in_challenge", "sign-ins waiting for the second factor (hash)", False, CR, ALL),
    Entry("accounts_organization_invitation", "invitations to join an organization: address, link (hash)",
          False, CR, "the row; the address pseudonymized"),
    Entry("accounts_client_attempt", "sign-ups and password links asked for, per client (keyed hash)",
          False, CR, ALL),
    Entry("accounts_reset_request", "password links asked for, until the dispatcher answers them", False, CR,
          "the row; the address pseudonymized"),
    Entry("accounts_audit_entry", "the audit trail: who did what, when, to what", True, AU,
          "everything: append-only, names people by id only"),
    # events
    Entry("events_event", "conferences, webinars, workshops, consultations", False, CO, ALL),
    Entry("events_track", "tracks of a conference", False, CO, ALL),
    Entry("events_session", "sessions of an event", False, CO, ALL),
    Entry("events_session_speaker", "speaker invitations: name, address, answer", False, CO,
          "status and dates; name and address pseudonymized"),
    Entry("events_ticket_type", "ticket types and prices", False, R, ALL),
    Entry("events_registration", "places at events: person, address, ticket, amount", False, A,
          "status, ticket, amounts, dates; address pseudonymized"),
    Entry("events_registration_change", "history of each place's status", False, A,
          "statuses and dates; reason blanked"),
    Entry("events_check_in", "who was checked in to which session", False, A, ALL),
    Entry("events_check_in_removal", "check-ins staff took back, and why", False, A,
          "the row; reason blanked"),
    Entry("events_check_in_code_failure", "wrong self check-in codes (rate limit)", False, CR, ALL),
    # programs
    Entry("programs_program_settings", "a program's attendance and certificate rules", False, R, ALL),
    Entry("programs_cohort", "cohorts of a program", False, CO, ALL),
    Entry("programs_completion_policy", "what completing a cohort takes", False, R, ALL),
    Entry("programs_cohort_session", "a cohort's curriculum", False, CO, ALL),
    Entry("programs_enrollment", "places in cohorts, applications", True, CME,
          "status and dates; address pseudonymized, statement and invitation blanked"),
    Entry("programs_enrollment_change", "history of each enrollment's status", True, CME,
          "statuses and dates; reason blanked"),
    Entry("programs_cohort_mentor", "mentors of a cohort", False, R, ALL),
    Entry("programs_attendance", "attendance per session: status, minutes, evidence", True, CME,
          "status, minutes, evidence; remarks blanked"),
    Entry("programs_attendance_change", "history of each attendance record", True, CME,
          "statuses and dates; remarks blanked"),
    Entry("programs_webinar_import", "uploaded Zoom attendance reports", True, CME, ALL),
    Entry("programs_unmatched_attendee", "report rows no enrolled person matched: name, address", True, CME,
          "times; name, address and key pseudonymized"),
    Entry("programs_deliverable", "learners' uploaded deliverables and reviews", True, CME,
          "the file and decision; file name and review note blanked"),
    Entry("programs_certificate", "certificates as issued, verified by code", True, CME,
          "everything: the certificate as issued (the public verify page is unchanged)"),
    Entry("programs_fellow_rung", "rungs of the fellows ladder", False, R, "rung and dates; note blanked"),
    # billing
    Entry("billing_checkout", "Stripe Checkout sessions opened for places", True, L, ALL),
    Entry("billing_stripe_event", "Stripe webhook events handled", True, L, ALL),
    Entry("billing_membership", "memberships and their Stripe subscription", True, L, ALL),
    Entry("billing_membership_seat", "seats of organization memberships", False, R, ALL),
    Entry("billing_points_entry", "points ledger of organization memberships", True, L, ALL),
    Entry("billing_ledger_entry", "every movement of money as Stripe records it", True, L,
          "everything: append-only, amounts never touched"),
    Entry("billing_alert", "money finance must look at", True, L, ALL),
    Entry("billing_reconciliation_run", "reconciliation runs per period", True, L, ALL),
    Entry("billing_reconciliation_finding", "discrepancies a reconciliation found", True, L, ALL),
    Entry("billing_refund_request", "refunds finance asked Stripe for", True, L, ALL),
    Entry("billing_dispute", "chargebacks as Stripe describes them", True, L, ALL),
    # notifications
    Entry("notifications_outbox", "mail queued and sent: recipient, template, context, status", False, M,
          "template, dates, status; recipient pseudonymized, body blanked, queued mail given up"),
    Entry("notifications_feed_token", "private calendar feed secrets (hash)", False, CR,
          "the row; the secret replaced, so the feed stops"),
    Entry("notifications_invite_copy", "calendar sequence of each person's copy", False, R, ALL),
    Entry("notifications_chore_lease", "which process runs a cluster-wide chore, until when", False, R, ALL),
    # library
    Entry("library_item", "library items and their authors", False, CO,
          "the item; author name pseudonymized"),
    Entry("library_item_tag", "topic tags of items", False, CO, ALL),
    Entry("library_cohort_prerequisite", "reading a cohort asks for", False, CO, ALL),
    # directory
    Entry("directory_listing", "the public Health Care Social Media List", False, R, ALL),
    Entry("directory_listing_account", "listings' accounts on each platform", False, R, ALL),
    Entry("directory_submission", "proposed listings with the sender's contact fields", False, R,
          "the proposal and decision; sender's name, address and note pseudonymized or blanked"),
    Entry("directory_claim", "requests to be a listing's verified contact", False, R, ALL),
    Entry("directory_change", "the public change log of listings", False, R, ALL),
    # records
    Entry("records_legal_hold", "legal holds: scope, reason, who placed and released", True, R, ALL),
    Entry("records_erasure_request", "erasure requests: who asked, their reason, the decision, what was kept",
          True, R, "the request and its decision (pseudonym, rows, what was kept and why); the person's "
          "reason blanked when the request is carried out"),
)  # fmt: skip


def by_table() -> dict[str, Entry]:
    return {entry.table: entry for entry in INVENTORY}


def render() -> str:
    """docs/records.md: the inventory as a table, and the classes with their periods."""
    lines = [
        "# Records: what the site keeps, and for how long",
        "",
        "Rendered from `records/inventory.py` by `python -m records.inventory`; edit the",
        "inventory, not this file (tests/records/test_inventory.py compares the two).",
        "",
        "| table | what it holds | legal record | class | default period | what anonymization keeps |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for e in INVENTORY:
        legal = "yes" if e.legal_record else "no"
        period = default_period(e.retention)
        lines.append(f"| `{e.table}` | {e.holds} | {legal} | {e.retention.value} | {period} | {e.keeps} |")
    lines += [
        "",
        "## Classes",
        "",
        "| class | default period | what happens when it has passed | setting |",
        "| --- | --- | --- | --- |",
    ]
    for retention in RetentionClass:
        has_setting = retention not in (RetentionClass.CONTENT, RetentionClass.REFERENCE)
        setting = f"`{retention_variable(retention.value)}`" if has_setting else ""
        lines.append(
            f"| {retention.value} | {default_period(retention)} | {TREATMENT[retention]} | {setting} |"
        )
    floors = ", ".join(f"{name} {days:,} days ({why})" for name, (days, why) in RETENTION_FLOORS.items())
    lines += [
        "",
        f"Legal minimums: {floors}. A shorter setting is refused when a process starts.",
        "",
        "A person is anonymized by the schedule only when nothing keeps them: no activity within the",
        "period (sign-ins, tokens used, registrations, enrollments, check-ins), no registration at an",
        "event that ended within the attendee period, no CME record within the CME period, no live",
        "membership, no staff, finance, admin or speaker role, and no open legal hold. An open hold on",
        "a person, an event (its registrations and check-ins, and so its people) or a cohort (its",
        "enrollments, attendance and certificates, and so its people) stops every purge and",
        "anonymization inside its scope until it is released.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
