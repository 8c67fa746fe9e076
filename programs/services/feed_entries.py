"""What the programs package puts in a person's calendar feed: their cohorts' sessions.

Only active enrollments count; an applicant or an invitee has no schedule yet.
Active cohort members are confirmed participants, so webinar links are shown.
"""

from __future__ import annotations

from events.services.feed_entries import session_entries
from notifications.feeds import FeedEntry
from programs.enrollment_status import EnrollmentStatus
from programs.tables import CohortSession, Enrollment


async def for_person(person_id: int) -> list[FeedEntry]:
    cohorts = await Enrollment.select(Enrollment.cohort).where(
        (Enrollment.person == person_id) & (Enrollment.status == EnrollmentStatus.ACTIVE)
    )
    if not cohorts:
        return []
    rows = await CohortSession.select(CohortSession.session).where(
        CohortSession.cohort.is_in([c["cohort"] for c in cohorts])
    )
    return await session_entries({r["session"] for r in rows}, reveal_join_url=True, person_id=person_id)
