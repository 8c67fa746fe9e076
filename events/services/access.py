"""Who may run an event: staff of the event's program, and admins.

Reads the event without locking; callers that change it lock it themselves.
"""

from __future__ import annotations

from typing import Any

from accounts.principal import Principal
from accounts.services.programs import runs_program
from events import errors
from events.tables import Event, Session


async def event_for_staff(principal: Principal, event_id: int) -> dict[str, Any]:
    """The event row, if this person runs its program; 404 if absent, 403 if not theirs."""
    row = await Event.select().where(Event.id == event_id).first()
    if row is None:
        raise errors.event_not_found()
    if not await runs_program(principal, row["program"]):
        raise errors.not_your_program()
    return row


async def may_run_event(principal: Principal, event_id: int) -> bool:
    program = await Event.select(Event.program).where(Event.id == event_id).first()
    return program is not None and await runs_program(principal, program["program"])


async def session_for_staff(principal: Principal, session_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(session, event) rows, if this person runs the event's program."""
    session = await Session.select().where(Session.id == session_id).first()
    if session is None:
        raise errors.session_not_found()
    return session, await event_for_staff(principal, session["event"])
