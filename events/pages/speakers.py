"""Speaking pages: the private invitation link, and a signed-in speaker's own list.

Looking never changes anything: GET shows the session and two buttons, and
only the POST of a button records the answer (mail scanners and link
previews fetch every link in an email). Times are shown where the session
happens and, when the reader lives elsewhere, in their own zone too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Principal
from events.pages import display
from events.schemas import SpeakingOut
from events.services import speakers
from grandrounds.errors import DomainError
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal, Viewer

Form = URLEncodedBody[dict[str, str]]
STATUS_LABELS = {
    "invited": "Awaiting your answer",
    "accepted": "You accepted",
    "declined": "You declined",
}
ANSWERED = {"accept": "Thank you: you are speaking.", "decline": "You declined; the organisers are told."}


@dataclass(frozen=True, slots=True)
class SpeakingRow:
    slot: SpeakingOut
    when: display.When
    status_label: str
    open: bool  # may still answer


def _row(slot: SpeakingOut) -> SpeakingRow:
    return SpeakingRow(
        slot=slot,
        when=display.when_span(slot.starts_at, slot.ends_at, slot.time_zone, slot.my_time_zone),
        status_label=STATUS_LABELS.get(slot.status, slot.status),
        open=slot.session_status == "scheduled",
    )


class SpeakingPages(Controller):
    include_in_schema = False

    @get("/speaking", guards=[signed_in])
    async def mine(self, request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
        return await _list_page(principal, notice=ANSWERED.get(request.query_params.get("answered", "")))

    @post("/speaking/{speaker_id:int}", guards=[signed_in])
    async def answer(
        self,
        principal: CurrentPrincipal,
        speaker_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        answer = data.get("answer", "")
        try:
            await speakers.respond_as_me(principal, speaker_id, answer)
        except DomainError as exc:
            return await _list_page(principal, error=exc.message, status=exc.status_code)
        return Redirect(path=f"/speaking?answered={answer}")

    @get("/speaking/respond/{token:str}")
    async def invitation(self, viewer: Viewer, token: FromPath[str]) -> Template:
        slot = await speakers.invitation(token, viewer)
        return Template("speaking_respond.html", context={"row": _row(slot), "token": token})

    @post("/speaking/respond/{token:str}")
    async def respond(self, viewer: Viewer, token: FromPath[str], data: Form) -> Template:
        answer = data.get("answer", "")
        try:
            slot = await speakers.respond_by_token(token, answer, viewer)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            slot = await speakers.invitation(token, viewer)
            context = {"row": _row(slot), "token": token, "error": exc.message}
            return Template("speaking_respond.html", context=context, status_code=exc.status_code)
        context = {"row": _row(slot), "token": token, "notice": ANSWERED[answer]}
        return Template("speaking_respond.html", context=context)


async def _list_page(
    principal: Principal, notice: str | None = None, error: str | None = None, status: int = 200
) -> Template:
    slots = await speakers.my_speaking(principal)
    return Template(
        "speaking.html",
        context={"rows": [_row(s) for s in slots], "notice": notice, "error": error},
        status_code=status,
    )


CONTROLLERS = [SpeakingPages]
