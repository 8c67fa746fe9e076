"""The Health Care Social Media List API: public listings and change log, submissions, moderation, claims.

One controller for the whole prefix: ``/submissions`` is both a public POST
and a moderators' GET, and two controllers on one path conflict.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Principal, Role
from directory.review_status import ReviewStatus
from directory.schemas import (
    Approval,
    ChangePage,
    ClaimOut,
    ListingOut,
    ListingPage,
    Rejection,
    SubmissionIn,
    SubmissionOut,
    SubmissionReceipt,
)
from directory.services import claims, listings, moderation, submissions
from grandrounds.web.auth import requires, signed_in
from grandrounds.web.dependencies import CurrentPrincipal, Viewer
from grandrounds.web.downloads import csv_response
from grandrounds.web.paging import ExportLimit, Offset

MODERATORS = [requires(Role.PROGRAM_STAFF)]  # admins hold every role


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The caller's address as the server sees it (the proxy's forwarded one when trusted)."""
    return request.client.host if request.client else ""


def sender(
    request: Request[Any, Any, Any], viewer: Principal | None, data: SubmissionIn
) -> submissions.Sender:
    return submissions.Sender(
        principal=viewer,
        contact_email=data.contact_email,
        contact_name=data.contact_name,
        client_ip=client_ip(request),
        note=data.note,
    )


def proposal_data(data: SubmissionIn) -> dict[str, Any]:
    fields = msgspec.to_builtins(data)
    for private in ("note", "contact_email", "contact_name"):
        fields.pop(private, None)
    return dict(fields)


class DirectoryApi(Controller):
    path = "/api/v1/directory"
    tags = ["directory"]

    @get("/listings")
    async def list_listings(
        self,
        country: FromQuery[str | None] = None,
        region: FromQuery[str | None] = None,
        kind: Annotated[str | None, QueryParameter(name="type")] = None,
        platform: FromQuery[str | None] = None,
        limit: ExportLimit = 100,
        offset: Offset = 0,
        format: FromQuery[Literal["json", "csv"]] = "json",
    ) -> ListingPage | Response[str]:
        """Approved listings, by name; ``format=csv`` exports every match of the same filters."""
        query = listings.parse_query(country, region, kind, platform, limit, offset)
        if format == "csv":
            return csv_response(await listings.export_csv(query), "social-media-list.csv")
        return await listings.search(query)

    @get("/listings/{listing_id:int}")
    async def get_listing(self, listing_id: FromPath[int]) -> ListingOut:
        return await listings.listing(listing_id)

    @get("/changes")
    async def list_changes(self, limit: ExportLimit = 100, offset: Offset = 0) -> ChangePage:
        return await listings.changes(None, limit, offset)

    @post("/submissions", status_code=HTTP_201_CREATED)
    async def submit(
        self, request: Request[Any, Any, Any], viewer: Viewer, data: JSONBody[SubmissionIn]
    ) -> SubmissionReceipt:
        """Propose a new organization (anyone; a contact email when not signed in)."""
        return await submissions.submit_new(proposal_data(data), sender(request, viewer, data))

    @post("/listings/{listing_id:int}/corrections", status_code=HTTP_201_CREATED)
    async def correct(
        self,
        request: Request[Any, Any, Any],
        viewer: Viewer,
        listing_id: FromPath[int],
        data: JSONBody[SubmissionIn],
    ) -> SubmissionReceipt:
        """Propose a new version of a listing (the whole listing as it should read)."""
        return await submissions.submit_correction(
            listing_id, proposal_data(data), sender(request, viewer, data)
        )

    @post("/listings/{listing_id:int}/claim", status_code=HTTP_200_OK, guards=[signed_in])
    async def claim(self, principal: CurrentPrincipal, listing_id: FromPath[int]) -> dict[str, str]:
        status = await claims.claim(principal, listing_id)
        return {"status": status}

    @get("/submissions", guards=MODERATORS)
    async def queue(
        self, principal: CurrentPrincipal, status: FromQuery[str] = ReviewStatus.PENDING.value
    ) -> list[SubmissionOut]:
        return await moderation.queue(principal, status)

    @get("/submissions/{submission_id:int}", guards=MODERATORS)
    async def get_submission(
        self, principal: CurrentPrincipal, submission_id: FromPath[int]
    ) -> SubmissionOut:
        return await moderation.submission(principal, submission_id)

    @post(
        "/submissions/{submission_id:int}/approve",
        status_code=HTTP_200_OK,
        guards=MODERATORS,
        opt={"audit": "directory.submission.approve"},
    )
    async def approve(
        self, principal: CurrentPrincipal, submission_id: FromPath[int], data: JSONBody[Approval]
    ) -> SubmissionOut:
        edits = msgspec.to_builtins(data.edits) if data.edits is not None else None
        return await moderation.approve(principal, submission_id, edits)

    @post(
        "/submissions/{submission_id:int}/reject",
        status_code=HTTP_200_OK,
        guards=MODERATORS,
        opt={"audit": "directory.submission.reject"},
    )
    async def reject(
        self, principal: CurrentPrincipal, submission_id: FromPath[int], data: JSONBody[Rejection]
    ) -> SubmissionOut:
        return await moderation.reject(principal, submission_id, data.reason)

    @get("/claims", guards=MODERATORS)
    async def pending_claims(self, principal: CurrentPrincipal) -> list[ClaimOut]:
        return await claims.pending_claims(principal)

    @post(
        "/claims/{claim_id:int}/approve",
        status_code=HTTP_200_OK,
        guards=MODERATORS,
        opt={"audit": "directory.claim.approve"},
    )
    async def approve_claim(self, principal: CurrentPrincipal, claim_id: FromPath[int]) -> ClaimOut:
        return await claims.decide(principal, claim_id, approve=True)

    @post(
        "/claims/{claim_id:int}/reject",
        status_code=HTTP_200_OK,
        guards=MODERATORS,
        opt={"audit": "directory.claim.reject"},
    )
    async def reject_claim(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], data: JSONBody[Rejection]
    ) -> ClaimOut:
        return await claims.decide(principal, claim_id, approve=False, reason=data.reason)


CONTROLLERS = [DirectoryApi]
