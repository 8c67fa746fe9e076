"""Attendance sheets, manual marks, check-in pull, webinar imports and the unmatched queue."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from grandrounds.web.auth import current_principal, requires
from programs.controllers.uploads import MultipartForm, read_file, text_field
from programs.schemas import AttendanceIn, AttendanceOut, ImportOut, PersonRef, UnmatchedOut
from programs.services import attendance, imports
from programs.services.access import cohort_for_staff, session_in_cohort


class AttendanceController(Controller):
    path = "/api/v1/cohorts/{cohort_id:int}"
    tags = ["attendance"]
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/sessions/{session_id:int}/attendance")
    async def sheet(
        self, request: Request[Any, Any, Any], cohort_id: FromPath[int], session_id: FromPath[int]
    ) -> list[AttendanceOut]:
        return await attendance.sheet(current_principal(request), cohort_id, session_id)

    @put("/sessions/{session_id:int}/attendance/{person_id:int}")
    async def mark(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[int],
        session_id: FromPath[int],
        person_id: FromPath[int],
        data: JSONBody[AttendanceIn],
    ) -> AttendanceOut:
        return await attendance.set_manual(
            current_principal(request),
            cohort_id,
            session_id,
            person_id,
            data.status,
            data.remarks,
            data.minutes,
        )

    @post("/sessions/{session_id:int}/check-ins/sync", status_code=HTTP_200_OK)
    async def sync(
        self, request: Request[Any, Any, Any], cohort_id: FromPath[int], session_id: FromPath[int]
    ) -> dict[str, int]:
        await cohort_for_staff(current_principal(request), cohort_id)
        await session_in_cohort(cohort_id, session_id)
        return {"records_changed": await attendance.sync_check_ins(cohort_id, [session_id])}

    @post(
        "/sessions/{session_id:int}/imports",
        status_code=HTTP_201_CREATED,
        request_max_body_size=imports.MAX_REPORT_BYTES + 64 * 1024,
    )
    async def import_report(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[int],
        session_id: FromPath[int],
        data: MultipartForm,
    ) -> ImportOut:
        filename, content = await read_file(data)
        zone = text_field(data, "time_zone", "", 64)
        return await imports.import_report(
            current_principal(request), cohort_id, session_id, content, filename, zone
        )

    @get("/unmatched")
    async def unmatched(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[int],
        include_closed: FromQuery[bool] = False,
    ) -> list[UnmatchedOut]:
        return await imports.unmatched_queue(current_principal(request), cohort_id, include_closed)

    @post("/unmatched/{entry_id:int}/resolve", status_code=HTTP_200_OK)
    async def resolve(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[int],
        entry_id: FromPath[int],
        data: JSONBody[PersonRef],
    ) -> UnmatchedOut:
        return await imports.resolve(current_principal(request), cohort_id, entry_id, data.person_id)

    @post("/unmatched/{entry_id:int}/dismiss", status_code=HTTP_200_OK)
    async def dismiss(
        self, request: Request[Any, Any, Any], cohort_id: FromPath[int], entry_id: FromPath[int]
    ) -> dict[str, str]:
        await imports.dismiss(current_principal(request), cohort_id, entry_id)
        return {"status": "dismissed"}


CONTROLLERS = [AttendanceController]
