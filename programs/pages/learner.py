"""Learner pages: my programs, my progress with what is left to do, my transcript, applying, invitations."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from grandrounds.errors import DomainError
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from programs.controllers.uploads import MultipartForm, read_file
from programs.enrollment_status import EnrollmentStatus
from programs.pages.common import STATE_WORDS, Form, back, messages
from programs.services import deliverables, enrollment, ladder, reports, transcript
from programs.services.cohort_facts import load_cohort
from programs.services.cohorts import policy_row
from programs.services.progress import percent_text
from programs.services.rules import rules_for


class LearnerPages(Controller):
    include_in_schema = False
    guards = [signed_in]

    @get("/my/programs")
    async def my_programs(self, principal: CurrentPrincipal) -> Template:
        return Template(
            "programs/my_programs.html",
            context={
                "enrollments": await enrollment.my_enrollments(principal.person_id),
                "rungs": await ladder.profile_rungs(principal.person_id),
            },
        )

    @get("/my/cohorts/{cohort_id:int}")
    async def my_progress(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, cohort_id: FromPath[int]
    ) -> Template:
        cohort, progress, rung = await reports.learner_progress(principal, cohort_id, principal.person_id)
        rules = await rules_for(cohort.program_id)
        policy = await policy_row(cohort_id)
        return Template(
            "programs/my_progress.html",
            context={
                "cohort": cohort,
                "p": progress,
                "rung": rung,
                "program_name": rules.program_name,
                "deliverable_title": rules.deliverable_title,
                "needs_deliverable": policy["requires_deliverable"],
                "uploads": await deliverables.mine(principal.person_id, cohort_id),
                "states": STATE_WORDS,
                "percent": percent_text,
                "max_mb": deliverables.MAX_BYTES // (1024 * 1024),
                **messages(request),
            },
        )

    @post("/my/cohorts/{cohort_id:int}/deliverable", request_max_body_size=deliverables.MAX_BYTES + 64 * 1024)
    async def upload(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: MultipartForm
    ) -> Response[Any]:
        path = f"/my/cohorts/{cohort_id}"
        try:
            filename, content = await read_file(data)
            await deliverables.upload(principal, cohort_id, filename, content)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return back(path, error=exc.message)
        return back(path, notice="Uploaded; staff will review it.")

    @get("/my/transcript")
    async def my_transcript(self, principal: CurrentPrincipal) -> Template:
        return Template(
            "programs/transcript.html",
            context={"t": await transcript.transcript(principal, principal.person_id)},
        )

    @get("/programs/cohorts/{cohort_id:int}/apply")
    async def apply_form(self, request: Request[Any, Any, Any], cohort_id: FromPath[int]) -> Template:
        cohort = await load_cohort(cohort_id)
        return Template("programs/apply.html", context={"cohort": cohort, **messages(request)})

    @post("/programs/cohorts/{cohort_id:int}/apply")
    async def apply(self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: Form) -> Response[Any]:
        try:
            await enrollment.apply(principal, cohort_id, data.get("statement", "")[:5000])
        except DomainError as exc:
            return back(f"/programs/cohorts/{cohort_id}/apply", error=exc.message)
        return back("/my/programs", notice="Application sent; staff will decide and let you know.")

    @get("/invitations/{token:str}")
    async def invitation(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        row = await enrollment.invitation(token[:100])
        cohort = await load_cohort(row["cohort"])
        return Template(
            "programs/invitation.html", context={"cohort": cohort, "token": token[:100], **messages(request)}
        )

    @post("/invitations/{token:str}")
    async def accept_invitation(self, principal: CurrentPrincipal, token: FromPath[str]) -> Response[Any]:
        try:
            joined = await enrollment.accept_invitation(principal, token[:100])
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return back(f"/invitations/{token[:100]}", error=exc.message)
        return back(
            f"/my/cohorts/{joined.cohort_id}" if joined.status == EnrollmentStatus.ACTIVE else "/my/programs",
            notice="Welcome aboard.",
        )


CONTROLLERS = [LearnerPages]
