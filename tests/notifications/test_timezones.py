"""VTIMEZONE in the compact RRULE form, read back by parsers that use the block, not the TZID name."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz
from icalendar import Calendar

from notifications.calendar import Invitation, build_invite
from notifications.feeds import FeedEntry, build_feed

# Two sessions at 09:00 local either side of each zone's spring change.
ACROSS_DST = {
    "America/Chicago": ("2027-03-12T09:00", "2027-03-15T09:00"),
    "Europe/London": ("2027-03-26T09:00", "2027-03-29T09:00"),
}


def _invite(zone: str, start: str) -> str:
    starts_at = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(zone))
    return build_invite(
        Invitation(
            method="REQUEST",
            uid="copy@example.org",
            sequence=0,
            starts_at=starts_at,
            ends_at=starts_at.replace(hour=10),
            time_zone=zone,
            summary="Grand Rounds",
            organizer="Rounds <rounds@example.org>",
            attendee_email="learner@example.org",
        )
    )


@pytest.mark.parametrize("zone", sorted(ACROSS_DST))
@pytest.mark.parametrize("start_index", [0, 1])
def test_the_vtimezone_is_yearly_rules_and_every_reader_gets_the_same_instant(zone, start_index) -> None:
    start = ACROSS_DST[zone][start_index]
    text = _invite(zone, start)
    calendar = Calendar.from_ical(text)
    [timezone] = calendar.walk("VTIMEZONE")
    observances = timezone.walk("STANDARD") + timezone.walk("DAYLIGHT")
    assert len(observances) == 2, "one STANDARD and one DAYLIGHT, as Outlook writes them"
    assert all("RRULE" in o and "RDATE" not in o for o in observances)
    assert str(observances[0]["RRULE"]["FREQ"][0]) == "YEARLY"

    expected = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(zone))
    [event] = calendar.walk("VEVENT")
    wall = event["DTSTART"].dt.replace(tzinfo=None)
    # icalendar, by the TZID name, and from the VTIMEZONE block itself.
    assert event["DTSTART"].dt.astimezone(UTC) == expected.astimezone(UTC)
    from_block = timezone.to_tz(lookup_tzid=False)
    assert wall.replace(tzinfo=from_block).astimezone(UTC) == expected.astimezone(UTC)
    # dateutil's own VTIMEZONE reader (it expands RRULE and RDATE itself).
    block = "".join(line + "\r\n" for line in _vtimezone_lines(text))
    dateutil_zone = dateutil_tz.tzical(io.StringIO(block)).get(zone)
    assert wall.replace(tzinfo=dateutil_zone).astimezone(UTC) == expected.astimezone(UTC)


def _vtimezone_lines(text: str) -> list[str]:
    lines = text.splitlines()
    return lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]


def test_the_chicago_rules_are_the_second_and_first_sundays() -> None:
    text = _invite("America/Chicago", ACROSS_DST["America/Chicago"][0])
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in text
    london = _invite("Europe/London", ACROSS_DST["Europe/London"][0])
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in london
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in london


def test_a_zone_without_daylight_saving_is_one_fixed_offset_and_feeds_use_the_same_form() -> None:
    zone = ZoneInfo("Asia/Tokyo")
    start = datetime(2027, 3, 12, 9, tzinfo=zone)
    feed = build_feed(
        "Schedule",
        [
            FeedEntry(key="session-1", starts_at=start, ends_at=start, time_zone="Asia/Tokyo", summary="a"),
            FeedEntry(
                key="session-2",
                starts_at=datetime(2027, 3, 12, 9, tzinfo=ZoneInfo("Europe/London")),
                ends_at=datetime(2027, 3, 12, 10, tzinfo=ZoneInfo("Europe/London")),
                time_zone="Europe/London",
                summary="b",
            ),
        ],
        "http://127.0.0.1:8000",
    )
    calendar = Calendar.from_ical(feed)
    zones = {str(t["TZID"]): t for t in calendar.walk("VTIMEZONE")}
    assert set(zones) == {"Asia/Tokyo", "Europe/London"}
    [tokyo] = zones["Asia/Tokyo"].walk("STANDARD")
    assert tokyo["TZOFFSETTO"].td == tokyo["TZOFFSETFROM"].td and "RRULE" not in tokyo
    assert "RDATE" not in feed
