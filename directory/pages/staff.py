"""Moderation pages: the queue of submissions and claims, one submission with its changes, the decisions.

Only moderators (program staff and admins) reach these pages; anyone else
gets 403, and someone signed out is sent to sign in. The approve form is the
listing's own form, filled with what was sent: a moderator may fix it before
approving, and their version is checked like any submission.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Principal, Role
from directory.pages.forms import form_context, form_values, proposal_data
from directory.platforms import PLATFORMS
from directory.proposals import LABELS, Proposal
from directory.review_status import ReviewStatus
from directory.services import claims, listings, moderation
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal

Form = URLEncodedBody[dict[str, str]]
NOTICES = {
    "approved": "Approved and published.",
    "rejected": "Rejected; the sender is told why.",
    "claim-approved": "Claim confirmed: the person is now the listing's verified contact.",
    "claim-rejected": "Claim refused.",
}


def _diff(before: Proposal | None, after: Proposal) -> list[tuple[str, str, str]]:
    """(label, published, proposed) for every field that differs."""
    new = after.as_fields()
    old = before.as_fields() if before else {}
    return [
        (LABELS.get(name, name), str(old.get(name, "")), str(value))
        for name, value in new.items()
        if str(old.get(name, "")) != str(value)
    ]


class ModerationPages(Controller):
    include_in_schema = False
    path = "/staff/social-media-list"
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/")
    async def queue(self, request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
        return Template(
            "directory/staff_queue.html",
            context={
                "pending": await moderation.queue(principal, ReviewStatus.PENDING),
                "claims": await claims.pending_claims(principal),
                "notice": NOTICES.get(request.query_params.get("done", "")),
            },
        )

    @get("/submissions/{submission_id:int}")
    async def submission(self, principal: CurrentPrincipal, submission_id: FromPath[int]) -> Template:
        return await _submission_page(principal, submission_id)

    @post("/submissions/{submission_id:int}/approve", opt={"audit": "directory.submission.approve"})
    async def approve(
        self,
        principal: CurrentPrincipal,
        submission_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        try:
            await moderation.approve(principal, submission_id, proposal_data(data))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await _submission_page(principal, submission_id, data, exc)
        return Redirect(path="/staff/social-media-list?done=approved")

    @post("/submissions/{submission_id:int}/reject", opt={"audit": "directory.submission.reject"})
    async def reject(
        self,
        principal: CurrentPrincipal,
        submission_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        try:
            await moderation.reject(principal, submission_id, data.get("reason", ""))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await _submission_page(principal, submission_id, None, exc, reject_error=True)
        return Redirect(path="/staff/social-media-list?done=rejected")

    @post(
        "/claims/{claim_id:int}/{decision:str}",
        opt={"audit": ("directory.claim.approve", "directory.claim.reject")},
    )
    async def decide_claim(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], decision: FromPath[str], data: Form
    ) -> Response[Any]:
        if decision not in ("approve", "reject"):
            return Redirect(path="/staff/social-media-list")
        approve = decision == "approve"
        await claims.decide(principal, claim_id, approve, data.get("reason", ""))
        return Redirect(path=f"/staff/social-media-list?done=claim-{'approved' if approve else 'rejected'}")


async def _submission_page(
    principal: Principal,
    submission_id: int,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
    reject_error: bool = False,
) -> Template:
    item = await moderation.submission(principal, submission_id)
    proposal = msgspec.convert(item.proposal, Proposal)
    before = None
    if item.kind == "correction" and item.listing_id is not None and item.status == ReviewStatus.PENDING:
        before, _ = await listings.current_proposal(item.listing_id)
    context = form_context(
        values if values is not None else form_values(proposal), None if reject_error else error
    )
    context.update(
        item=item,
        diff=_diff(before, proposal),
        platforms=PLATFORMS,
        reject_error=error.message if reject_error and error else None,
    )
    return Template(
        "directory/staff_submission.html",
        context=context,
        status_code=error.status_code if error else 200,
    )


CONTROLLERS = [ModerationPages]
