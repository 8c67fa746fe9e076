"""iTIP calendar invites (RFC 5546): one VEVENT per copy a person holds, REQUEST or CANCEL.

Pure: it turns plain values into the text of a calendar object and never reads
the database, so the rules that decide who gets what (and whether the join
link may be shown) stay with the caller and the format stays testable alone.

Each person gets their own copy of a session (a UID per session and person),
or, for a whole-event place at a conference, one copy of the event as a whole
(a UID per event and person), so cancelling one person's place removes only
their copy. Times are written in
the event's own zone with a VTIMEZONE, so a session keeps its wall-clock hour
across a daylight-saving change however the reader's calendar is set.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress
from icalendar.enums import STATUS
from icalendar.prop.conference import Conference

from notifications.timezones import add_timezones

Method = Literal["REQUEST", "CANCEL"]
PartStat = Literal["NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"]
PRODID = "-//grandrounds//session invites//EN"


def _host(base_url: str) -> str:
    return urlparse(base_url).hostname or "grandrounds.localhost"


def invite_uid(session_id: int, base_url: str, person_id: int | None = None, email: str = "") -> str:
    """The UID of one person's copy of a session: the same for every update and the cancel.

    Someone without an account is named by a hash of their lower-cased
    address, so the address itself does not travel in the UID.
    """
    host = _host(base_url)
    if person_id is not None:
        return f"session-{session_id}-person-{person_id}@{host}"
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]
    return f"session-{session_id}-invitee-{digest}@{host}"


def event_invite_uid(event_id: int, base_url: str, person_id: int) -> str:
    """The UID of one person's copy of a whole event (a conference), apart from any session's."""
    return f"event-{event_id}-person-{person_id}@{_host(base_url)}"


@dataclass(frozen=True, slots=True)
class Invitation:
    """Everything one invite says. ``join_url`` is written only when ``reveal_join_url`` is set."""

    method: Method
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    summary: str
    organizer: str  # "Name <address>" as in MAIL_FROM
    attendee_email: str
    attendee_name: str = ""
    partstat: PartStat = "NEEDS-ACTION"
    place: str = ""
    description: str = ""
    url: str = ""
    join_url: str = ""
    reveal_join_url: bool = False
    stamp: datetime = field(default_factory=lambda: datetime.now(UTC))


def _location(invite: Invitation, link: str) -> str:
    if invite.place and link:
        return f"{invite.place} / {link}"
    return invite.place or link


def _description(invite: Invitation, link: str) -> str:
    parts = [invite.description.strip()]
    if link:
        parts.append(f"Join online: {link}")
    if invite.url:
        parts.append(f"Details: {invite.url}")
    return "\n\n".join(p for p in parts if p)


def build_invite(invite: Invitation) -> str:
    """The calendar object as text (CRLF line ends), ready for a text/calendar part."""
    if invite.starts_at.tzinfo is None or invite.ends_at.tzinfo is None:
        raise ValueError("invite times must carry a zone")
    zone = ZoneInfo(invite.time_zone)
    link = invite.join_url if invite.reveal_join_url else ""
    organizer_name, organizer_address = parseaddr(invite.organizer)
    event = Event.new(
        uid=invite.uid,
        sequence=invite.sequence,
        stamp=invite.stamp.astimezone(UTC),
        start=invite.starts_at.astimezone(zone),
        end=invite.ends_at.astimezone(zone),
        summary=invite.summary,
        status=STATUS.CANCELLED if invite.method == "CANCEL" else STATUS.CONFIRMED,
        organizer=vCalAddress.new(organizer_address, cn=organizer_name or None),
        attendees=[
            vCalAddress.new(
                invite.attendee_email,
                cn=invite.attendee_name or None,
                role="REQ-PARTICIPANT",
                partstat=invite.partstat,
                # No replies are processed: asking for one would lose the person's answer.
                rsvp=False,
            )
        ],
        location=_location(invite, link) or None,
        description=_description(invite, link) or None,
        url=invite.url or None,
        # One feature only: icalendar quotes a comma-separated FEATURE list.
        conferences=[Conference(link, feature="VIDEO", label="Join online")] if link else None,
    )
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", invite.method)
    calendar.add_component(event)
    add_timezones(
        calendar,
        [invite.time_zone],
        invite.starts_at.astimezone(zone).year,
        invite.ends_at.astimezone(zone).year,
    )
    ical: bytes = calendar.to_ical()
    return ical.decode("utf-8")
