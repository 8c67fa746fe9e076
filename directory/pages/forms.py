"""Forms anyone may use: propose an organization, suggest a correction, claim a listing.

A refused form comes back filled in with the first problem named next to
its field (and the same 4xx status the API gives); nothing is stored until
every field passes. A correction form starts from the listing as published;
for the listing's verified contact it reads "Edit your listing", and their
edit still waits for a moderator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Principal
from directory.countries import COUNTRIES
from directory.platforms import PLATFORMS
from directory.proposals import KINDS, LIMITS, Proposal
from directory.services import claims, listings, submissions
from grandrounds.errors import DomainError
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal, Viewer

Form = URLEncodedBody[dict[str, str]]
PROPOSAL_FIELDS = ("name", "kind", "country", "region", "city", "website", "description")


def form_values(proposal: Proposal) -> dict[str, str]:
    """A proposal as the form's fields (one ``account_<platform>`` field per platform)."""
    values = {name: getattr(proposal, name) for name in PROPOSAL_FIELDS}
    values.update({f"account_{key}": proposal.accounts.get(key, "") for key in PLATFORMS})
    return values


def proposal_data(form: Mapping[str, str]) -> dict[str, Any]:
    """The form as the API's shape: listing fields plus an ``accounts`` mapping."""
    data: dict[str, Any] = {name: form.get(name, "") for name in PROPOSAL_FIELDS}
    data["accounts"] = {key: form.get(f"account_{key}", "") for key in PLATFORMS}
    return data


def sender(
    request: Request[Any, Any, Any], viewer: Principal | None, form: Mapping[str, str]
) -> submissions.Sender:
    return submissions.Sender(
        principal=viewer,
        contact_email=form.get("contact_email", ""),
        contact_name=form.get("contact_name", ""),
        client_ip=request.client.host if request.client else "",
        note=form.get("note", ""),
    )


def form_context(values: Mapping[str, str], error: DomainError | None = None) -> dict[str, Any]:
    field = str(error.details.get("field", "")) if error else ""
    if field.startswith("accounts."):
        field = "account_" + field.removeprefix("accounts.")
    elif field == "accounts":
        field = "account_x"
    return {
        "values": values,
        "kinds": KINDS,
        "countries": sorted(COUNTRIES.items(), key=lambda item: item[1]),
        "platforms": PLATFORMS,
        "limits": LIMITS,
        "error": error.message if error else None,
        "error_field": field,
    }


class FormPages(Controller):
    include_in_schema = False
    path = "/social-media-list"

    @get("/submit")
    async def new_form(self) -> Template:
        return Template("directory/submit.html", context=form_context({}))

    @post("/submit")
    async def submit(self, request: Request[Any, Any, Any], viewer: Viewer, data: Form) -> Response[Any]:
        try:
            await submissions.submit_new(proposal_data(data), sender(request, viewer, data))
        except DomainError as exc:
            return Template(
                "directory/submit.html", context=form_context(data, exc), status_code=exc.status_code
            )
        return Redirect(path="/social-media-list/thanks")

    @get("/thanks")
    async def thanks(self) -> Template:
        return Template("directory/thanks.html")

    @get("/{listing_id:int}/correct")
    async def correction_form(self, viewer: Viewer, listing_id: FromPath[int]) -> Template:
        current, _ = await listings.current_proposal(listing_id)
        return await _correction_page(viewer, listing_id, form_values(current))

    @post("/{listing_id:int}/correct")
    async def correct(
        self, request: Request[Any, Any, Any], viewer: Viewer, listing_id: FromPath[int], data: Form
    ) -> Response[Any]:
        try:
            await submissions.submit_correction(
                listing_id, proposal_data(data), sender(request, viewer, data)
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await _correction_page(viewer, listing_id, data, exc)
        return Redirect(path="/social-media-list/thanks")

    @post("/{listing_id:int}/claim", guards=[signed_in])
    async def claim(self, principal: CurrentPrincipal, listing_id: FromPath[int]) -> Response[Any]:
        status = await claims.claim(principal, listing_id)
        return Redirect(path=f"/social-media-list/{listing_id}?claim={status}")


async def _correction_page(
    viewer: Principal | None,
    listing_id: int,
    values: Mapping[str, str],
    error: DomainError | None = None,
) -> Template:
    item = await listings.listing(listing_id)
    context = form_context(values, error)
    context.update(
        item=item, is_contact=viewer is not None and await claims.is_contact(viewer.person_id, listing_id)
    )
    return Template(
        "directory/correct.html", context=context, status_code=error.status_code if error else 200
    )


CONTROLLERS = [FormPages]
