"""Legal holds over the API: admins place, list and release them; both changes are audited."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from records.schemas import LegalHoldIn, LegalHoldOut
from records.services import holds


class LegalHoldController(Controller):
    path = "/api/v1/admin/legal-holds"
    tags = ["records"]
    guards = [requires(Role.ADMIN)]

    @get("/")
    async def list_holds(self) -> list[LegalHoldOut]:
        """Every hold, open ones first."""
        return await holds.list_holds()

    @post("/", status_code=HTTP_201_CREATED, opt={"audit": "legal_hold.place"})
    async def place(self, principal: CurrentPrincipal, data: JSONBody[LegalHoldIn]) -> LegalHoldOut:
        """Hold a person's, an event's or a cohort's records out of every purge and anonymization."""
        return await holds.place(data, principal.person_id)

    @post("/{hold_id:int}/release", status_code=HTTP_200_OK, opt={"audit": "legal_hold.release"})
    async def release(self, principal: CurrentPrincipal, hold_id: FromPath[int]) -> LegalHoldOut:
        """End a hold; the schedule reaches its records again from its next run."""
        return await holds.release(hold_id, principal.person_id)


CONTROLLERS = [LegalHoldController]
