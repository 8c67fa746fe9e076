"""A person's data rights on the pages: the erasure request form and its status.

"Download my data" needs no page of its own: the account page links to
``/api/v1/me/export``, which a signed-in browser fetches with its session
cookie and saves (the answer is an attachment).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from grandrounds.errors import DomainError
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.times import clock, viewer_zone
from records.erasure_status import ErasureStatus
from records.schemas import ERASURE_REASON_MAX
from records.services import erasure

Form = URLEncodedBody[dict[str, str]]


async def _page(person_id: int, error: DomainError | None = None, asked: bool = False) -> Template:
    requests = await erasure.of_person(person_id)
    return Template(
        "records/erasure_request.html",
        context={
            "requests": requests,
            "pending": next((r for r in requests if r.status == ErasureStatus.PENDING), None),
            "reason_max": ERASURE_REASON_MAX,
            "local": clock(await viewer_zone(person_id)),
            "error": error.message if error else "",
            "asked": asked,
        },
        status_code=error.status_code if error else 200,
    )


@get("/account/erasure", guards=[signed_in], include_in_schema=False)
async def erasure_form(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
    """What erasure means, the form to ask for it, and how earlier requests were decided."""
    return await _page(principal.person_id, asked=request.query_params.get("asked") == "1")


@post("/account/erasure", guards=[signed_in], include_in_schema=False)
async def erasure_ask(principal: CurrentPrincipal, data: Form) -> Response[Any]:
    try:
        await erasure.ask(principal.person_id, data.get("reason", ""))
    except DomainError as exc:
        return await _page(principal.person_id, error=exc)
    return Redirect(path="/account/erasure?asked=1", status_code=303)


CONTROLLERS = [erasure_form, erasure_ask]
