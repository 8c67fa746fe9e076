"""Times on the viewer's own clock: the zone of their account, and instants as they read them there.

For pages that show stored UTC instants to one person (the audit trail, who saw
someone's data) rather than in an event's or a cohort's own zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from accounts.services.people import time_zone_of


async def viewer_zone(person_id: int) -> str:
    """The person's own time zone (UTC when they have none)."""
    return await time_zone_of(person_id) or "UTC"


def clock(zone: str) -> Callable[[datetime | None], str]:
    """For templates: a stored UTC instant as the viewer reads it, e.g. "2027-03-14 09:30 EDT"."""
    tz = ZoneInfo(zone)

    def shown(moment: datetime | None) -> str:
        if moment is None:
            return ""
        local = moment.astimezone(tz)
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"

    return shown
