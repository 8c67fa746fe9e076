"""Enrollment: apply, decide, enroll, invite, accept an invitation, move, mentor, sign off, withdraw."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from grandrounds.web.auth import requires, signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from programs.schemas import (
    Application,
    Decision,
    EnrollIn,
    EnrollmentOut,
    InvitationAccept,
    InvitationOut,
    InviteIn,
    MentorIn,
    MoveIn,
    PersonRef,
)
from programs.services import enrollment

STAFF = [requires(Role.PROGRAM_STAFF)]


class CohortEnrollmentController(Controller):
    path = "/api/v1/cohorts/{cohort_id:int}"
    tags = ["cohorts"]

    @post("/applications", status_code=HTTP_201_CREATED, guards=[signed_in])
    async def apply(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: JSONBody[Application]
    ) -> EnrollmentOut:
        return await enrollment.apply(principal, cohort_id, data.statement)

    @get("/enrollments", guards=STAFF)
    async def list_enrollments(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int]
    ) -> list[EnrollmentOut]:
        return await enrollment.list_enrollments(principal, cohort_id)

    @post("/enrollments", status_code=HTTP_201_CREATED, guards=STAFF, opt={"audit": "enrollment.create"})
    async def enroll(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: JSONBody[EnrollIn]
    ) -> EnrollmentOut:
        return await enrollment.enroll(principal, cohort_id, data.person_id)

    @post(
        "/invitations", status_code=HTTP_201_CREATED, guards=STAFF, opt={"audit": "cohort.invitation.create"}
    )
    async def invite(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: JSONBody[InviteIn]
    ) -> InvitationOut:
        return await enrollment.invite(principal, cohort_id, data.email)

    @post("/mentors", status_code=HTTP_200_OK, guards=STAFF, opt={"audit": "cohort.mentor.add"})
    async def add_mentor(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: JSONBody[PersonRef]
    ) -> dict[str, int]:
        await enrollment.add_mentor(principal, cohort_id, data.person_id)
        return {"cohort_id": cohort_id, "person_id": data.person_id}


class EnrollmentController(Controller):
    path = "/api/v1/enrollments"
    tags = ["cohorts"]

    @post("/invitations/accept", status_code=HTTP_200_OK, guards=[signed_in])
    async def accept_invitation(
        self, principal: CurrentPrincipal, data: JSONBody[InvitationAccept]
    ) -> EnrollmentOut:
        return await enrollment.accept_invitation(principal, data.token)

    @post(
        "/{enrollment_id:int}/accept",
        status_code=HTTP_200_OK,
        guards=STAFF,
        opt={"audit": "enrollment.accept"},
    )
    async def accept(self, principal: CurrentPrincipal, enrollment_id: FromPath[int]) -> EnrollmentOut:
        return await enrollment.accept(principal, enrollment_id)

    @post(
        "/{enrollment_id:int}/reject",
        status_code=HTTP_200_OK,
        guards=STAFF,
        opt={"audit": "enrollment.reject"},
    )
    async def reject(
        self, principal: CurrentPrincipal, enrollment_id: FromPath[int], data: JSONBody[Decision]
    ) -> EnrollmentOut:
        return await enrollment.reject(principal, enrollment_id, data.reason)

    @post(
        "/{enrollment_id:int}/paid", status_code=HTTP_200_OK, guards=STAFF, opt={"audit": "enrollment.paid"}
    )
    async def paid(
        self, principal: CurrentPrincipal, enrollment_id: FromPath[int], data: JSONBody[Decision]
    ) -> EnrollmentOut:
        return await enrollment.mark_paid(principal, enrollment_id, data.reason)

    @post("/{enrollment_id:int}/withdraw", status_code=HTTP_200_OK, guards=[signed_in])
    async def withdraw(
        self, principal: CurrentPrincipal, enrollment_id: FromPath[int], data: JSONBody[Decision]
    ) -> EnrollmentOut:
        return await enrollment.withdraw(principal, enrollment_id, data.reason)

    @post(
        "/{enrollment_id:int}/move", status_code=HTTP_200_OK, guards=STAFF, opt={"audit": "enrollment.move"}
    )
    async def move(
        self, principal: CurrentPrincipal, enrollment_id: FromPath[int], data: JSONBody[MoveIn]
    ) -> EnrollmentOut:
        return await enrollment.move(principal, enrollment_id, data.cohort_id, data.reason)

    @post(
        "/{enrollment_id:int}/mentor",
        status_code=HTTP_200_OK,
        guards=STAFF,
        opt={"audit": "enrollment.mentor"},
    )
    async def mentor(
        self, principal: CurrentPrincipal, enrollment_id: FromPath[int], data: JSONBody[MentorIn]
    ) -> EnrollmentOut:
        return await enrollment.assign_mentor(principal, enrollment_id, data.mentor_id)

    @post(
        "/{enrollment_id:int}/sign-off",
        status_code=HTTP_200_OK,
        guards=STAFF,
        opt={"audit": "enrollment.sign_off"},
    )
    async def sign_off(self, principal: CurrentPrincipal, enrollment_id: FromPath[int]) -> EnrollmentOut:
        return await enrollment.sign_off(principal, enrollment_id)


CONTROLLERS = [CohortEnrollmentController, EnrollmentController]
