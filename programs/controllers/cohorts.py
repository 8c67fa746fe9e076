"""Programs' rules and cohorts, their policy and curriculum, the roster, and the fellows ladder."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from accounts.services.programs import runs_program
from grandrounds.web.auth import requires, signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.downloads import csv_response
from programs import errors
from programs.schemas import (
    CohortCreate,
    CohortOut,
    CurriculumAdd,
    PolicyIn,
    ProgressOut,
    RosterRowOut,
    RulesOut,
    RulesUpdate,
    RungIn,
    RungOut,
    StatusDef,
)
from programs.services import cohorts, ladder, reports, rules
from programs.services.access import cohort_for_staff, require_program_staff

STAFF = [requires(Role.PROGRAM_STAFF)]


def _rules_out(r: rules.ProgramRules) -> RulesOut:
    return RulesOut(
        program_id=r.program_id,
        statuses=[
            StatusDef(name=s["name"], points=s["points"], excused=bool(s["excused"])) for s in r.statuses
        ],
        present_within_minutes=int(r.present_within.total_seconds() // 60),
        late_within_minutes=int(r.late_within.total_seconds() // 60),
        certificate_timing=r.certificate_timing,
        certificate_date=r.certificate_date,
        provider=r.provider,
        deliverable_title=r.deliverable_title,
        credit_degrees=list(r.credit_degrees),
    )


class ProgramCohortController(Controller):
    path = "/api/v1/programs/{program_id:int}"
    tags = ["programs"]
    guards = STAFF

    @get("/rules")
    async def get_rules(self, principal: CurrentPrincipal, program_id: FromPath[int]) -> RulesOut:
        await require_program_staff(principal, program_id)
        return _rules_out(await rules.rules_for(program_id))

    @put("/rules", opt={"audit": "program.rules.update"})
    async def put_rules(
        self, principal: CurrentPrincipal, program_id: FromPath[int], data: JSONBody[RulesUpdate]
    ) -> RulesOut:
        await require_program_staff(principal, program_id)
        saved = await rules.save_rules(
            program_id,
            statuses=[
                {"name": s.name.strip(), "points": s.points, "excused": s.excused} for s in data.statuses
            ]
            if data.statuses is not None
            else None,
            present_within_minutes=data.present_within_minutes,
            late_within_minutes=data.late_within_minutes,
            certificate_timing=data.certificate_timing,
            certificate_date=data.certificate_date,
            provider=data.provider,
            credit_degrees=data.credit_degrees,
            deliverable_title=data.deliverable_title,
        )
        return _rules_out(saved)

    @get("/cohorts")
    async def list_cohorts(self, principal: CurrentPrincipal, program_id: FromPath[int]) -> list[CohortOut]:
        return await cohorts.list_cohorts(principal, program_id)

    @post("/cohorts", status_code=HTTP_201_CREATED, opt={"audit": "cohort.create"})
    async def create_cohort(
        self, principal: CurrentPrincipal, program_id: FromPath[int], data: JSONBody[CohortCreate]
    ) -> CohortOut:
        return await cohorts.create_cohort(principal, program_id, data)


class RungController(Controller):
    path = "/api/v1/programs/{program_id:int}/fellows/{person_id:int}"
    tags = ["programs"]
    guards = [signed_in]

    @get("/rungs")
    async def rungs(
        self, principal: CurrentPrincipal, program_id: FromPath[int], person_id: FromPath[int]
    ) -> RungOut:
        if principal.person_id != person_id and not await runs_program(principal, program_id):
            raise errors.person_not_found()
        return await ladder.rung_out(program_id, person_id)

    @post("/rungs", status_code=HTTP_201_CREATED, guards=STAFF, opt={"audit": "fellows.rung.grant"})
    async def grant_rung(
        self,
        principal: CurrentPrincipal,
        program_id: FromPath[int],
        person_id: FromPath[int],
        data: JSONBody[RungIn],
    ) -> RungOut:
        return await ladder.grant(principal, program_id, person_id, data.rung, data.note)


class CohortController(Controller):
    path = "/api/v1/cohorts/{cohort_id:int}"
    tags = ["cohorts"]

    @get("/", guards=STAFF)
    async def get_cohort(self, principal: CurrentPrincipal, cohort_id: FromPath[int]) -> CohortOut:
        await cohort_for_staff(principal, cohort_id)
        return await cohorts.cohort_out(cohort_id)

    @put("/policy", guards=STAFF, opt={"audit": "cohort.policy.update"})
    async def put_policy(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: JSONBody[PolicyIn]
    ) -> CohortOut:
        return await cohorts.set_policy(principal, cohort_id, data)

    @post("/sessions", status_code=HTTP_200_OK, guards=STAFF, opt={"audit": "cohort.session.create"})
    async def add_session(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: JSONBody[CurriculumAdd]
    ) -> CohortOut:
        return await cohorts.add_session(principal, cohort_id, data.session_id, data.required)

    @delete(
        "/sessions/{session_id:int}",
        status_code=HTTP_200_OK,
        guards=STAFF,
        opt={"audit": "cohort.session.remove"},
    )
    async def remove_session(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], session_id: FromPath[int]
    ) -> CohortOut:
        return await cohorts.remove_session(principal, cohort_id, session_id)

    @get("/roster", guards=STAFF)
    async def roster(
        self,
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        completion: Annotated[str | None, QueryParameter(name="state", max_length=20)] = None,
        q: FromQuery[str] = "",
    ) -> list[RosterRowOut]:
        return reports.roster_out(await reports.roster(principal, cohort_id, completion, q[:100]))

    @get("/roster.csv", guards=STAFF, opt={"audit": "export.cohort_roster_csv"})
    async def roster_csv(
        self,
        principal: CurrentPrincipal,
        cohort_id: FromPath[int],
        completion: Annotated[str | None, QueryParameter(name="state", max_length=20)] = None,
        q: FromQuery[str] = "",
    ) -> Response[str]:
        body = await reports.roster_export(principal, cohort_id, completion, q[:100])
        return csv_response(body, f"cohort-{cohort_id}-roster.csv")

    @get("/progress/{person_id:int}", guards=[signed_in])
    async def progress(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], person_id: FromPath[int]
    ) -> ProgressOut:
        _, found, rung = await reports.learner_progress(principal, cohort_id, person_id)
        return reports.progress_out(found, rung)


CONTROLLERS = [ProgramCohortController, RungController, CohortController]
