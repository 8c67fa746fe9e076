"""Staff pages: cohort dashboard, attendance sheets, the import screen, deliverable review, one learner."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from accounts.principal import Principal, Role
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from programs.controllers.uploads import MultipartForm, read_file, text_field
from programs.pages.common import STATE_WORDS, Form, as_int, back, local_time, messages
from programs.services import (
    attendance,
    certificates,
    cohorts,
    deliverables,
    enrollment,
    imports,
    ladder,
    reports,
    staff_views,
)
from programs.services.access import cohort_for_staff
from programs.services.progress import percent_text
from programs.services.rules import rules_for

STAFF = [requires(Role.PROGRAM_STAFF)]


class StaffPages(Controller):
    path = "/programs"
    include_in_schema = False
    guards = STAFF

    @get("/staff")
    async def index(self, principal: CurrentPrincipal) -> Template:
        programs = await staff_views.programs_with_cohorts(principal)
        return Template("programs/staff_index.html", context={"programs": programs})

    @get("/cohorts/{cohort_id:int}")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        completion: Annotated[str, QueryParameter(name="state", max_length=40)] = "",
        q: FromQuery[str] = "",
    ) -> Template:
        state = completion if completion in STATE_WORDS else ""
        rows = await reports.roster(principal, cohort_id, state or None, q[:100])
        cohort = await cohorts.cohort_out(cohort_id)
        program = await staff_views.program_heading(cohort.program_id)
        return Template(
            "programs/cohort.html",
            context={
                "cohort": cohort,
                "program": program,
                "rows": rows,
                "state": state,
                "q": q[:100],
                "states": STATE_WORDS,
                "percent": percent_text,
                "pending": await staff_views.pending_enrollments(cohort_id),
                "local": local_time(cohort.time_zone),
                "credit_degrees": (await rules_for(cohort.program_id)).credit_degrees,
                **messages(request),
            },
        )

    @post("/cohorts/{cohort_id:int}/invite", opt={"audit": "cohort.invitation.create"})
    async def invite(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: Form
    ) -> Response[Any]:
        path = f"/programs/cohorts/{cohort_id}"
        try:
            await enrollment.invite(principal, cohort_id, data.get("email", "")[:254])
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            return back(path, error=exc.message)
        return back(path, notice=f"Invitation sent to {data.get('email', '').strip().lower()}.")

    @post(
        "/enrollments/{enrollment_id:int}/{action:str}",
        opt={"audit": ("enrollment.accept", "enrollment.reject", "enrollment.sign_off")},
    )
    async def decide(
        self, principal: CurrentPrincipal, enrollment_id: FromPath[int], action: FromPath[str], data: Form
    ) -> Response[Any]:
        ref = await staff_views.enrollment_ref(enrollment_id)
        path = f"/programs/cohorts/{ref.cohort_id}" if ref else "/programs/staff"
        try:
            if action == "accept":
                await enrollment.accept(principal, enrollment_id)
            elif action == "reject":
                await enrollment.reject(principal, enrollment_id, data.get("reason", "")[:300])
            elif action == "sign-off" and ref:
                await enrollment.sign_off(principal, enrollment_id)
                path = f"/programs/cohorts/{ref.cohort_id}/people/{ref.person_id}"
            else:
                return back(path, error="Unknown action.")
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            return back(path, error=exc.message)
        return back(path, notice="Saved.")

    @get("/cohorts/{cohort_id:int}/sessions/{session_id:int}")
    async def sheet(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        session_id: FromPath[int],
    ) -> Template:
        rows = await attendance.sheet(principal, cohort_id, session_id)
        cohort = await cohort_for_staff(principal, cohort_id)
        rules = await rules_for(cohort.program_id)
        session = await attendance.session_row(session_id)
        return Template(
            "programs/attendance.html",
            context={
                "cohort": cohort,
                "session": session,
                "rows": rows,
                "statuses": rules.status_names,
                "absent": rules.absent_status,
                "local": local_time(cohort.time_zone),
                **messages(request),
            },
        )

    @post("/cohorts/{cohort_id:int}/sessions/{session_id:int}", opt={"audit": "attendance.mark"})
    async def mark(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], session_id: FromPath[int], data: Form
    ) -> Response[Any]:
        path = f"/programs/cohorts/{cohort_id}/sessions/{session_id}"
        person_id = as_int(data.get("person_id"))
        minutes = as_int(data.get("minutes"))
        if person_id is None:
            return back(path, error="Choose whom to mark.")
        if minutes is not None and not 0 <= minutes <= 24 * 60:
            return back(path, error="Minutes must be between 0 and 1440.")
        try:
            saved = await attendance.set_manual(
                principal,
                cohort_id,
                session_id,
                person_id,
                data.get("status", "")[:40],
                data.get("remarks", "")[:2000],
                minutes,
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            return back(path, error=exc.message)
        return back(path, notice=f"{saved.name}: {saved.status}.")

    @get("/cohorts/{cohort_id:int}/sessions/{session_id:int}/import")
    async def import_screen(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        session_id: FromPath[int],
    ) -> Template:
        return await _import_page(request, principal, cohort_id, session_id)

    @post(
        "/cohorts/{cohort_id:int}/sessions/{session_id:int}/import",
        request_max_body_size=imports.MAX_REPORT_BYTES + 64 * 1024,
        opt={"audit": "attendance.import"},
    )
    async def upload_report(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        session_id: FromPath[int],
        data: MultipartForm,
    ) -> Template:
        try:
            filename, content = await read_file(data)
            result = await imports.import_report(
                principal,
                cohort_id,
                session_id,
                content,
                filename,
                text_field(data, "time_zone", "", 64),
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            return await _import_page(
                request, principal, cohort_id, session_id, error=exc.message, status=exc.status_code
            )
        return await _import_page(request, principal, cohort_id, session_id, result=result)

    @post(
        "/cohorts/{cohort_id:int}/unmatched/{entry_id:int}",
        opt={"audit": ("attendance.unmatched.resolve", "attendance.unmatched.dismiss")},
    )
    async def settle(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], entry_id: FromPath[int], data: Form
    ) -> Response[Any]:
        path = f"/programs/cohorts/{cohort_id}/sessions/{as_int(data.get('session_id')) or 0}/import"
        try:
            if data.get("action") == "dismiss":
                await imports.dismiss(principal, cohort_id, entry_id)
                return back(path, notice="Left out of attendance.")
            person_id = as_int(data.get("person_id"))
            if person_id is None:
                return back(path, error="Choose the member this attendee is.")
            await imports.resolve(principal, cohort_id, entry_id, person_id)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            return back(path, error=exc.message)
        return back(path, notice="Matched; their minutes now count.")

    @get("/cohorts/{cohort_id:int}/deliverables")
    async def review_list(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, cohort_id: FromPath[int]
    ) -> Template:
        rows = await deliverables.list_for_cohort(principal, cohort_id)
        cohort = await cohort_for_staff(principal, cohort_id)
        rules = await rules_for(cohort.program_id)
        return Template(
            "programs/deliverables.html",
            context={"cohort": cohort, "rows": rows, "title": rules.deliverable_title, **messages(request)},
        )

    @post("/deliverables/{deliverable_id:int}/review", opt={"audit": "deliverable.review"})
    async def review(
        self, principal: CurrentPrincipal, deliverable_id: FromPath[int], data: Form
    ) -> Response[Any]:
        row = await deliverables.deliverable_out(deliverable_id)
        path = f"/programs/cohorts/{row.cohort_id}/deliverables"
        try:
            await deliverables.review(
                principal,
                deliverable_id,
                data.get("decision", ""),
                data.get("note", "")[:2000],
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            return back(path, error=exc.message)
        return back(path, notice="Review saved; the learner is told by email.")

    @get("/cohorts/{cohort_id:int}/people/{person_id:int}")
    async def learner(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        person_id: FromPath[int],
    ) -> Template:
        cohort = await cohort_for_staff(principal, cohort_id)
        _, progress, rung = await reports.learner_progress(principal, cohort_id, person_id)
        program = await staff_views.program_heading(cohort.program_id)
        return Template(
            "programs/learner_staff.html",
            context={
                "cohort": cohort,
                "p": progress,
                "rung": rung,
                "program": program,
                "rungs": ladder.RUNGS,
                "states": STATE_WORDS,
                "percent": percent_text,
                **messages(request),
            },
        )

    @post("/cohorts/{cohort_id:int}/people/{person_id:int}/rung", opt={"audit": "fellows.rung.grant"})
    async def grant_rung(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], person_id: FromPath[int], data: Form
    ) -> Response[Any]:
        cohort = await cohort_for_staff(principal, cohort_id)
        path = f"/programs/cohorts/{cohort_id}/people/{person_id}"
        try:
            await ladder.grant(
                principal, cohort.program_id, person_id, data.get("rung", "")[:12], data.get("note", "")[:300]
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            return back(path, error=exc.message)
        return back(path, notice=f"{data.get('rung', '').title()} granted.")

    @post("/cohorts/{cohort_id:int}/certificates", opt={"audit": "certificate.issue"})
    async def issue(self, principal: CurrentPrincipal, cohort_id: FromPath[int]) -> Response[Any]:
        issued = await certificates.issue_now(principal, cohort_id)
        return back(f"/programs/cohorts/{cohort_id}", notice=f"{len(issued)} certificate(s) issued.")

    @post("/certificates/{code:str}/revoke", opt={"audit": "certificate.revoke"})
    async def revoke(self, principal: CurrentPrincipal, code: FromPath[str], data: Form) -> Response[Any]:
        try:
            await certificates.revoke(principal, code[:40], data.get("reason", "")[:300])
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            return back(f"/verify/{code[:40]}", error=exc.message)
        return back(f"/verify/{code[:40]}", notice="Certificate revoked.")


async def _import_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    cohort_id: int,
    session_id: int,
    result: Any = None,
    error: str = "",
    status: int = 200,
) -> Template:
    cohort = await cohort_for_staff(principal, cohort_id)
    session = await attendance.session_row(session_id)
    queue = [e for e in await imports.unmatched_queue(principal, cohort_id) if e.session_id == session_id]
    members = await staff_views.members_by_name(await attendance.active_people(cohort_id))
    msgs = messages(request)
    return Template(
        "programs/import.html",
        context={
            "cohort": cohort,
            "session": session,
            "queue": queue,
            "members": members,
            "result": result,
            "notice": msgs["notice"],
            "error": error or msgs["error"],
        },
        status_code=status,
    )


CONTROLLERS = [StaffPages]
