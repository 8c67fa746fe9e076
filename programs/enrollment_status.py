"""The states an enrollment in a cohort can be in, and the groups of them the rules speak of.

The one spelling of every enrollment status: the table's column takes its
choices from here and programs' services and pages compare against these
names. Only programs.services.enrollment moves an enrollment from one to
another, writing an EnrollmentChange each time.

    applied -> awaiting_payment | active | rejected
    invited -> awaiting_payment | active | rejected
    awaiting_payment -> active
    any live status -> withdrawn | moved (to another cohort of the program)
"""

from __future__ import annotations

from enum import StrEnum


class EnrollmentStatus(StrEnum):
    APPLIED = "applied"
    INVITED = "invited"
    AWAITING_PAYMENT = "awaiting_payment"
    ACTIVE = "active"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    MOVED = "moved"


# Not closed yet: one of these per (program, email_key).
LIVE = frozenset(
    {
        EnrollmentStatus.APPLIED,
        EnrollmentStatus.INVITED,
        EnrollmentStatus.AWAITING_PAYMENT,
        EnrollmentStatus.ACTIVE,
    }
)

# Counted against the cohort's capacity.
SEAT_HOLDING = frozenset({EnrollmentStatus.AWAITING_PAYMENT, EnrollmentStatus.ACTIVE})

# Waiting on staff or on the learner before the cohort begins for them: the staff page's queue.
UNDECIDED = frozenset({EnrollmentStatus.APPLIED, EnrollmentStatus.INVITED, EnrollmentStatus.AWAITING_PAYMENT})

# Took part at some point, so the cohort belongs on the learner's transcript.
ON_TRANSCRIPT = frozenset({EnrollmentStatus.ACTIVE, EnrollmentStatus.MOVED, EnrollmentStatus.WITHDRAWN})
