"""Cohort prerequisites through the API: anyone lists them, staff of the cohort's program change them."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts.principal import Role
from grandrounds.web.auth import current_principal, requires
from library.schemas import PrerequisiteAdd, PrerequisiteOut
from library.services import prerequisites
from library.web import viewer


class PrerequisiteController(Controller):
    path = "/api/v1/library/cohorts/{cohort_id:int}/prerequisites"
    tags = ["library"]

    @get("/")
    async def list_prerequisites(
        self, request: Request[Any, Any, Any], cohort_id: FromPath[int]
    ) -> list[PrerequisiteOut]:
        return await prerequisites.list_for(viewer(request), cohort_id)

    @post("/", status_code=HTTP_201_CREATED, guards=[requires(Role.PROGRAM_STAFF)])
    async def add_prerequisite(
        self, request: Request[Any, Any, Any], cohort_id: FromPath[int], data: JSONBody[PrerequisiteAdd]
    ) -> list[PrerequisiteOut]:
        return await prerequisites.add(current_principal(request), cohort_id, data.item_id)

    @delete("/{item_id:int}", status_code=HTTP_204_NO_CONTENT, guards=[requires(Role.PROGRAM_STAFF)])
    async def remove_prerequisite(
        self, request: Request[Any, Any, Any], cohort_id: FromPath[int], item_id: FromPath[int]
    ) -> None:
        await prerequisites.remove(current_principal(request), cohort_id, item_id)


CONTROLLERS = [PrerequisiteController]
