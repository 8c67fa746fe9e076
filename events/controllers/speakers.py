"""Speakers: staff invite and withdraw them; a speaker lists and answers their own invitations."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from events.schemas import SpeakerCreate, SpeakerOut, SpeakingOut
from events.services import speakers
from grandrounds.web.auth import requires, signed_in
from grandrounds.web.dependencies import CurrentPrincipal


class SessionSpeakerController(Controller):
    path = "/api/v1"
    tags = ["speakers"]
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/sessions/{session_id:int}/speakers")
    async def list_speakers(self, principal: CurrentPrincipal, session_id: FromPath[int]) -> list[SpeakerOut]:
        return await speakers.list_speakers(principal, session_id)

    @post(
        "/sessions/{session_id:int}/speakers", status_code=HTTP_201_CREATED, opt={"audit": "speaker.invite"}
    )
    async def add_speaker(
        self, principal: CurrentPrincipal, session_id: FromPath[int], data: JSONBody[SpeakerCreate]
    ) -> SpeakerOut:
        """Invite by email: accept/decline links and a calendar REQUEST go out with the commit."""
        return await speakers.add_speaker(principal, session_id, data)

    @delete("/speakers/{speaker_id:int}", status_code=HTTP_200_OK, opt={"audit": "speaker.withdraw"})
    async def withdraw_speaker(self, principal: CurrentPrincipal, speaker_id: FromPath[int]) -> SpeakerOut:
        """Withdraw (kept as withdrawn); the speaker's calendar copy gets a CANCEL."""
        return await speakers.withdraw_speaker(principal, speaker_id)


class MySpeakingController(Controller):
    path = "/api/v1/me/speaking"
    tags = ["speakers"]
    guards = [signed_in]

    @get("/")
    async def mine(self, principal: CurrentPrincipal) -> list[SpeakingOut]:
        return await speakers.my_speaking(principal)

    @post("/{speaker_id:int}/accept", status_code=HTTP_200_OK)
    async def accept(self, principal: CurrentPrincipal, speaker_id: FromPath[int]) -> SpeakingOut:
        return await speakers.respond_as_me(principal, speaker_id, "accept")

    @post("/{speaker_id:int}/decline", status_code=HTTP_200_OK)
    async def decline(self, principal: CurrentPrincipal, speaker_id: FromPath[int]) -> SpeakingOut:
        return await speakers.respond_as_me(principal, speaker_id, "decline")


CONTROLLERS = [SessionSpeakerController, MySpeakingController]
