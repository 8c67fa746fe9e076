"""Check-in pages: the door (staff), the screen in the room, the attendee's self check-in, the ticket.

All of them work without JavaScript on a phone. The door page's code field
has autofocus, so a USB or Bluetooth scanner that "types" the ticket's QR and
presses Enter checks people in one after another. Form posts answer with the
page itself and a message; repeating one is harmless because check-in is
idempotent.

The ticket code is a credential: it travels only in a form body and the
owner's ticket page, never in a URL, and the door page never echoes it back.
"""

from __future__ import annotations

import segno
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from accounts.principal import Principal, Role
from events.pages import display
from events.services.access import session_for_staff
from events.services.checkin import codes as checkin_codes
from events.services.checkin import records as checkin
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires, signed_in
from grandrounds.web.dependencies import CurrentPrincipal

Form = URLEncodedBody[dict[str, str]]
NO_STORE = {"Cache-Control": "no-store"}
ROSTER_LIMIT = 500
SEARCH_LIMIT = 50


def qr_svg(payload: str, title: str) -> str:
    """An inline SVG QR code; dark on light with a quiet zone, so phone cameras read it off a screen."""
    return str(segno.make(payload, error="m").svg_inline(scale=6, title=title, svgclass="qr", omitsize=True))


def _checked_in_notice(name: str, already: bool, at_text: str) -> str:
    if already:
        return f"{name} was already checked in ({at_text})."
    return f"{name} is checked in."


async def _door_page(
    principal: Principal,
    session_id: int,
    q: str = "",
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    session, event = await session_for_staff(principal, session_id)
    q = " ".join(q.split())[:200]
    summary = await checkin.session_checkins(principal, session_id)
    if q:
        people = await checkin.search_attendees(principal, session_id, q, limit=SEARCH_LIMIT)
    else:
        people = await checkin.search_attendees(
            principal, session_id, "", limit=ROSTER_LIMIT, confirmed_only=True
        )
    zone = event["time_zone"]
    return Template(
        "checkin/door.html",
        context={
            "session": session,
            "event": event,
            "when": display.span(session["starts_at"], session["ends_at"], zone),
            "confirmed": summary.confirmed,
            "checked_in": summary.checked_in,
            "people": [
                {
                    "registration_id": p.registration_id,
                    "name": p.name,
                    "email": p.email,
                    "status": p.status,
                    "checked_in_at": display.moment(p.checked_in_at, zone) if p.checked_in_at else None,
                }
                for p in people
            ],
            "truncated": not q and len(people) >= ROSTER_LIMIT,
            "q": q,
            "notice": notice,
            "error": error,
            "cancelled": session["status"] == "cancelled" or event["status"] == "cancelled",
        },
        status_code=status,
        headers=NO_STORE,
    )


class CheckInPages(Controller):
    include_in_schema = False

    @get("/staff/sessions/{session_id:int}/checkin", guards=[requires(Role.PROGRAM_STAFF)])
    async def door(
        self, principal: CurrentPrincipal, session_id: FromPath[int], q: FromQuery[str] = ""
    ) -> Template:
        return await _door_page(principal, session_id, q=q)

    @post(
        "/staff/sessions/{session_id:int}/checkin",
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "registration.check_in"},
    )
    async def check_in_by_code(
        self,
        principal: CurrentPrincipal,
        session_id: FromPath[int],
        data: Form,
    ) -> Template:
        code = data.get("ticket_code", "").strip()[:64]
        if not code:
            return await _door_page(
                principal, session_id, error="Scan a ticket or type its code.", status=400
            )
        return await self._check_in(principal, session_id, ticket_code=code)

    @post(
        "/staff/sessions/{session_id:int}/checkin/{registration_id:int}",
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "registration.check_in"},
    )
    async def check_in_found(
        self,
        principal: CurrentPrincipal,
        session_id: FromPath[int],
        registration_id: FromPath[int],
        data: Form,
    ) -> Template:
        return await self._check_in(
            principal, session_id, registration_id=registration_id, q=data.get("q", "")
        )

    @post(
        "/staff/sessions/{session_id:int}/checkin/{registration_id:int}/undo",
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "registration.check_in.undo"},
    )
    async def undo(
        self,
        principal: CurrentPrincipal,
        session_id: FromPath[int],
        registration_id: FromPath[int],
        data: Form,
    ) -> Template:
        q = data.get("q", "")
        try:
            removed = await checkin.undo(principal, session_id, registration_id, data.get("reason", "")[:200])
        except DomainError as exc:
            return await _door_page(principal, session_id, q=q, error=exc.message, status=exc.status_code)
        return await _door_page(principal, session_id, q=q, notice=f"Check-in of {removed.name} undone.")

    async def _check_in(
        self,
        principal: Principal,
        session_id: int,
        *,
        registration_id: int | None = None,
        ticket_code: str | None = None,
        q: str = "",
    ) -> Template:
        try:
            out = await checkin.check_in(
                principal,
                session_id,
                registration_id=registration_id,
                ticket_code=ticket_code,
                method="qr",
            )
        except DomainError as exc:
            if exc.status_code in (401, 403) and exc.code != "checkin.own_ticket":
                raise
            return await _door_page(principal, session_id, q=q, error=exc.message, status=exc.status_code)
        _, event = await checkin.session_and_event(session_id)
        notice = _checked_in_notice(out.name, out.already, display.moment(out.at, event["time_zone"]))
        return await _door_page(principal, session_id, q=q, notice=notice, status=200 if out.already else 201)

    @get("/staff/sessions/{session_id:int}/checkin-code", guards=[requires(Role.PROGRAM_STAFF)])
    async def code_screen(self, principal: CurrentPrincipal, session_id: FromPath[int]) -> Template:
        code = await checkin_codes.current_code(principal, session_id)
        session, event = await session_for_staff(principal, session_id)
        zone = event["time_zone"]
        return Template(
            "checkin/code.html",
            context={
                "session": session,
                "event": event,
                "code": code,
                "pretty_code": f"{code.code[:3]} {code.code[3:]}",
                "opens": display.moment(code.opens_at, zone),
                "closes": display.moment(code.closes_at, zone),
                "qr": qr_svg(code.self_checkin_url, "QR code of the self check-in page"),
            },
            headers=NO_STORE,
        )

    @get("/checkin/{session_id:int}", guards=[signed_in])
    async def self_form(self, principal: CurrentPrincipal, session_id: FromPath[int]) -> Template:
        return await _self_page(principal, session_id)

    @post("/checkin/{session_id:int}", guards=[signed_in])
    async def self_check_in(
        self,
        principal: CurrentPrincipal,
        session_id: FromPath[int],
        data: Form,
    ) -> Template:
        try:
            out = await checkin_codes.self_check_in(principal, session_id, data.get("code", "")[:20])
        except DomainError as exc:
            return await _self_page(principal, session_id, error=exc.message, status=exc.status_code)
        notice = "You were already checked in." if out.already else "You are checked in. Enjoy the session!"
        return await _self_page(principal, session_id, notice=notice, status=200 if out.already else 201)

    @get("/registrations/{registration_id:int}/ticket", guards=[signed_in])
    async def ticket(self, principal: CurrentPrincipal, registration_id: FromPath[int]) -> Template:
        ticket = await checkin.ticket(principal, registration_id)
        return Template(
            "checkin/ticket.html",
            context={
                "ticket": ticket,
                "when": display.span(ticket.starts_at, ticket.ends_at, ticket.event_time_zone),
                "qr": qr_svg(ticket.code, "QR code of your ticket") if ticket.code else None,
            },
            headers=NO_STORE,
        )


async def _self_page(
    principal: Principal,
    session_id: int,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    view = await checkin_codes.self_checkin_view(principal, session_id)
    zone = view.time_zone
    return Template(
        "checkin/self.html",
        context={
            "view": view,
            "opens": display.moment(view.opens_at, zone),
            "closes": display.moment(view.closes_at, zone),
            "checked_in_at": display.moment(view.checked_in_at, zone) if view.checked_in_at else None,
            "notice": notice,
            "error": error,
        },
        status_code=status,
        headers=NO_STORE,
    )


CONTROLLERS = [CheckInPages]
