"""Attendance sheets, manual marks, check-in pull, webinar imports and the unmatched queue."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from programs.controllers.uploads import MultipartForm, read_file, text_field
from programs.schemas import AttendanceIn, AttendanceOut, ImportOut, PersonRef, UnmatchedOut
from programs.services import attendance, imports


class AttendanceController(Controller):
    path = "/api/v1/cohorts/{cohort_id:int}"
    tags = ["attendance"]
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/sessions/{session_id:int}/attendance")
    async def sheet(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], session_id: FromPath[int]
    ) -> list[AttendanceOut]:
        return await attendance.sheet(principal, cohort_id, session_id)

    @put("/sessions/{session_id:int}/attendance/{person_id:int}", opt={"audit": "attendance.mark"})
    async def mark(
        self,
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        session_id: FromPath[int],
        person_id: FromPath[int],
        data: JSONBody[AttendanceIn],
    ) -> AttendanceOut:
        return await attendance.set_manual(
            principal,
            cohort_id,
            session_id,
            person_id,
            data.status,
            data.remarks,
            data.minutes,
        )

    @post(
        "/sessions/{session_id:int}/check-ins/sync", status_code=HTTP_200_OK, opt={"audit": "attendance.sync"}
    )
    async def sync(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], session_id: FromPath[int]
    ) -> dict[str, int]:
        return {"records_changed": await attendance.sync_session(principal, cohort_id, session_id)}

    @post(
        "/sessions/{session_id:int}/imports",
        status_code=HTTP_201_CREATED,
        request_max_body_size=imports.MAX_REPORT_BYTES + 64 * 1024,
        opt={"audit": "attendance.import"},
    )
    async def import_report(
        self,
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        session_id: FromPath[int],
        data: MultipartForm,
    ) -> ImportOut:
        filename, content = await read_file(data)
        zone = text_field(data, "time_zone", "", 64)
        return await imports.import_report(principal, cohort_id, session_id, content, filename, zone)

    @get("/unmatched")
    async def unmatched(
        self,
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        include_closed: FromQuery[bool] = False,
    ) -> list[UnmatchedOut]:
        return await imports.unmatched_queue(principal, cohort_id, include_closed)

    @post(
        "/unmatched/{entry_id:int}/resolve",
        status_code=HTTP_200_OK,
        opt={"audit": "attendance.unmatched.resolve"},
    )
    async def resolve(
        self,
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        entry_id: FromPath[int],
        data: JSONBody[PersonRef],
    ) -> UnmatchedOut:
        return await imports.resolve(principal, cohort_id, entry_id, data.person_id)

    @post(
        "/unmatched/{entry_id:int}/dismiss",
        status_code=HTTP_200_OK,
        opt={"audit": "attendance.unmatched.dismiss"},
    )
    async def dismiss(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], entry_id: FromPath[int]
    ) -> dict[str, str]:
        await imports.dismiss(principal, cohort_id, entry_id)
        return {"status": "dismissed"}


CONTROLLERS = [AttendanceController]
