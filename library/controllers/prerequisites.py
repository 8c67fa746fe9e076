"""Cohort prerequisites through the API: anyone lists them, staff of the cohort's program change them."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts.principal import Role
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal, Viewer
from library.schemas import PrerequisiteAdd, PrerequisiteOut
from library.services import prerequisites


class PrerequisiteController(Controller):
    path = "/api/v1/library/cohorts/{cohort_id:int}/prerequisites"
    tags = ["library"]

    @get("/")
    async def list_prerequisites(self, viewer: Viewer, cohort_id: FromPath[int]) -> list[PrerequisiteOut]:
        return await prerequisites.list_for(viewer, cohort_id)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "prerequisite.add"},
    )
    async def add_prerequisite(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: JSONBody[PrerequisiteAdd]
    ) -> list[PrerequisiteOut]:
        return await prerequisites.add(principal, cohort_id, data.item_id)

    @delete(
        "/{item_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "prerequisite.remove"},
    )
    async def remove_prerequisite(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], item_id: FromPath[int]
    ) -> None:
        await prerequisites.remove(principal, cohort_id, item_id)


CONTROLLERS = [PrerequisiteController]
