"""Deliverables, certificates (public verification, revocation, Open Badges export) and transcripts."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from grandrounds.settings import get_settings
from grandrounds.web.auth import requires, signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from programs.controllers.uploads import MultipartForm, read_file
from programs.schemas import CertificateOut, DeliverableOut, ReviewIn, RevokeIn, TranscriptOut
from programs.services import certificates, deliverables, transcript

STAFF = [requires(Role.PROGRAM_STAFF)]


def file_response(row: dict[str, Any], data: bytes) -> Response[bytes]:
    """The stored file as a download, never rendered inline by the browser."""
    safe = row["filename"].encode("ascii", "replace").decode().replace('"', "")
    return Response(
        data,
        media_type=row["content_type"],
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


class DeliverableController(Controller):
    path = "/api/v1"
    tags = ["deliverables"]

    @post(
        "/cohorts/{cohort_id:int}/deliverables",
        status_code=HTTP_201_CREATED,
        guards=[signed_in],
        request_max_body_size=deliverables.MAX_BYTES + 64 * 1024,
    )
    async def upload(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: MultipartForm
    ) -> DeliverableOut:
        filename, content = await read_file(data)
        return await deliverables.upload(principal, cohort_id, filename, content)

    @get("/cohorts/{cohort_id:int}/deliverables", guards=STAFF)
    async def list_for_cohort(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int]
    ) -> list[DeliverableOut]:
        rows = await deliverables.list_for_cohort(principal, cohort_id)
        return [await deliverables.deliverable_out(r["id"]) for r in rows]

    @get("/deliverables/{deliverable_id:int}/file", guards=[signed_in])
    async def download(self, principal: CurrentPrincipal, deliverable_id: FromPath[int]) -> Response[bytes]:
        row, data = await deliverables.open_file(principal, deliverable_id)
        return file_response(row, data)

    @post(
        "/deliverables/{deliverable_id:int}/review",
        status_code=HTTP_200_OK,
        guards=STAFF,
        opt={"audit": "deliverable.review"},
    )
    async def review(
        self, principal: CurrentPrincipal, deliverable_id: FromPath[int], data: JSONBody[ReviewIn]
    ) -> DeliverableOut:
        return await deliverables.review(principal, deliverable_id, data.decision, data.note)


class CertificateController(Controller):
    path = "/api/v1"
    tags = ["certificates"]

    @get("/certificates/{code:str}")
    async def verify(self, code: FromPath[str]) -> CertificateOut:
        return await certificates.verify(code[:40])

    @get("/certificates/{code:str}/badge", media_type="application/ld+json")
    async def badge(self, code: FromPath[str]) -> dict[str, Any]:
        return certificates.open_badge(await certificates.verify(code[:40]), get_settings().base_url)

    @post(
        "/certificates/{code:str}/revoke",
        status_code=HTTP_200_OK,
        guards=STAFF,
        opt={"audit": "certificate.revoke"},
    )
    async def revoke(
        self, principal: CurrentPrincipal, code: FromPath[str], data: JSONBody[RevokeIn]
    ) -> CertificateOut:
        return await certificates.revoke(principal, code[:40], data.reason)

    @get("/cohorts/{cohort_id:int}/certificates", guards=STAFF)
    async def for_cohort(self, principal: CurrentPrincipal, cohort_id: FromPath[int]) -> list[CertificateOut]:
        return await certificates.for_cohort(principal, cohort_id)

    @post(
        "/cohorts/{cohort_id:int}/certificates/issue",
        status_code=HTTP_200_OK,
        guards=STAFF,
        opt={"audit": "certificate.issue"},
    )
    async def issue(self, principal: CurrentPrincipal, cohort_id: FromPath[int]) -> dict[str, list[str]]:
        return {"issued": await certificates.issue_now(principal, cohort_id)}

    @get("/transcripts/{person_id:int}", guards=[signed_in])
    async def transcript(self, principal: CurrentPrincipal, person_id: FromPath[int]) -> TranscriptOut:
        return await transcript.transcript(principal, person_id)


CONTROLLERS = [DeliverableController, CertificateController]
