"""Whether a person's place at an event belongs to a cohort they have been certified for.

A cohort's curriculum is made of event sessions (CohortSession), so a
registration for an event maps to the cohorts that teach through that event;
a live (unrevoked) certificate of the same person for one of those cohorts
means the enrollment was completed. Billing asks this before refunding: the
fee of a completed, certified enrollment is not refundable. A revoked
certificate no longer attests completion, so it does not block.
"""

from __future__ import annotations

from typing import Any

from events.tables import Session
from programs.tables import Certificate, CohortSession


async def certificate_for_event(event_id: int, person_id: int) -> dict[str, Any] | None:
    """The earliest live certificate of ``person_id`` for a cohort taught through ``event_id``."""
    sessions = await Session.select(Session.id).where(Session.event == event_id)
    if not sessions:
        return None
    links = await CohortSession.select(CohortSession.cohort).where(
        CohortSession.session.is_in([s["id"] for s in sessions])
    )
    cohorts = sorted({row["cohort"] for row in links})
    if not cohorts:
        return None
    found: dict[str, Any] | None = (
        await Certificate.select(Certificate.id, Certificate.code, Certificate.cohort, Certificate.issued_at)
        .where(
            (Certificate.person == person_id)
            & Certificate.cohort.is_in(cohorts)
            & Certificate.revoked_at.is_null()
        )
        .order_by(Certificate.issued_at)
        .first()
    )
    return found
