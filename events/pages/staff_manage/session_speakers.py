"""A session's speakers for its staff: who was invited, how they answered, invite and withdraw.

Inviting sends the speaker an email with private accept/decline links and a
calendar invite; withdrawing kills the link and cancels their calendar copy.
The speakers service does both inside the change's transaction; this page
only reads the form and shows the result.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Role
from events import errors
from events.pages import display
from events.pages.staff import form_invalid
from events.pages.staff_manage.forms import Form, line, problem, staff_session, staff_speaker
from events.schemas import SpeakerCreate
from events.services import speakers
from events.tables import SessionSpeaker
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal

Body = URLEncodedBody[dict[str, str]]
STATUS_LABELS = {
    "invited": "Invited, no answer yet",
    "accepted": "Accepted",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}
NOTICES = {
    "invited": "Invitation sent: the speaker gets an email with links to accept or decline.",
    "withdrawn": "Speaker withdrawn: their link stops working and their calendar copy is cancelled.",
}


def speaker_request(form: Form) -> SpeakerCreate:
    """The invitation form as the service's request; the service checks the address itself."""
    name = line(form.get("name"))
    email = (form.get("email") or "").strip()
    if not name:
        raise errors.speaker_name_blank()
    if len(name) > 200:
        raise form_invalid("name", "Please check the name: it is too long.")
    if not 3 <= len(email) <= 254:
        raise errors.speaker_email_invalid()
    return SpeakerCreate(email=email, name=name)


async def speakers_page(
    request: Request[Any, Any, Any],
    session: dict[str, Any],
    event: dict[str, Any],
    form: Form | None = None,
    error: DomainError | None = None,
    form_id: str = "",
) -> Template:
    zone = event["time_zone"]
    rows = (
        await SessionSpeaker.select()
        .where(SessionSpeaker.session == session["id"])
        .order_by(SessionSpeaker.id)
    )
    listed = [
        {
            "id": r["id"],
            "name": r["name"],
            "email": r["email_key"],
            "status": r["status"],
            "status_label": STATUS_LABELS.get(r["status"], r["status"]),
            "invited": display.moment(r["invited_at"], zone),
            "answered": display.moment(r["responded_at"], zone) if r["responded_at"] else "",
        }
        for r in rows
    ]
    return Template(
        "staff/manage_speakers.html",
        context={
            "event": event,
            "session": session,
            "when": display.span(session["starts_at"], session["ends_at"], zone),
            "speakers": listed,
            "form": form if form is not None and form_id == "invite" else {},
            "notice": NOTICES.get(request.query_params.get("done") or ""),
            "open": session["status"] == "scheduled" and event["status"] != "cancelled",
            **problem(error, form_id),
        },
        status_code=error.status_code if error else 200,
    )


def _back(session_id: int, done: str) -> Redirect:
    return Redirect(path=f"/staff/sessions/{session_id}/speakers?done={done}", status_code=303)


class SpeakerPages(Controller):
    include_in_schema = False
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/staff/sessions/{session_id:int}/speakers")
    async def list_speakers(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, session_id: FromPath[int]
    ) -> Template:
        session, event = await staff_session(principal, session_id)
        return await speakers_page(request, session, event)

    @post("/staff/sessions/{session_id:int}/speakers", opt={"audit": "speaker.invite"})
    async def invite(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        session_id: FromPath[int],
        data: Body,
    ) -> Response[Any]:
        session, event = await staff_session(principal, session_id)
        form = {k: (data.get(k) or "")[:1_000] for k in ("email", "name")}
        try:
            await speakers.add_speaker(principal, session_id, speaker_request(form))
        except DomainError as exc:
            return await speakers_page(request, session, event, form, exc, "invite")
        return _back(session_id, "invited")

    @post("/staff/speakers/{speaker_id:int}/withdraw", opt={"audit": "speaker.withdraw"})
    async def withdraw(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, speaker_id: FromPath[int]
    ) -> Response[Any]:
        _, session, event = await staff_speaker(principal, speaker_id)
        try:
            await speakers.withdraw_speaker(principal, speaker_id)
        except DomainError as exc:
            return await speakers_page(request, session, event, None, exc, f"speaker-{speaker_id}")
        return _back(session["id"], "withdrawn")
