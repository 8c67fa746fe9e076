"""A person's data rights in the API: download everything held about me, ask to be erased.

Both act on the caller only: there is no person parameter anywhere, and an id put
in the erasure body is refused (``erasure.own_only``).
"""

from __future__ import annotations

from typing import Any, cast

import msgspec
from litestar import Response, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from records.schemas import ErasureAsk, ErasureOut
from records.services import erasure, export

TAGS = ["me"]


def export_response(body: bytes, person_id: int) -> Response[dict[str, Any]]:
    """The data document as a download nobody caches (it is everything held about a person).

    The body is the document already encoded; the type says what it is (a JSON object), which
    is what the OpenAPI document shows.
    """
    return Response(
        cast(dict[str, Any], body),
        media_type="application/json",
        headers={
            "content-disposition": f'attachment; filename="grandrounds-my-data-{person_id}.json"',
            "cache-control": "no-store",
        },
    )


@get("/api/v1/me/export", guards=[signed_in], tags=TAGS)
async def my_data(principal: CurrentPrincipal) -> Response[dict[str, Any]]:
    """Everything held about the caller as one JSON document (a download; recorded in the audit trail)."""
    data = await export.person_data(principal)
    return export_response(data.encoded(), principal.person_id)


@post("/api/v1/me/erasure", guards=[signed_in], tags=TAGS, status_code=HTTP_201_CREATED)
async def ask_erasure(principal: CurrentPrincipal, data: JSONBody[ErasureAsk]) -> ErasureOut:
    """Ask to be erased (``{reason?}``); an admin decides. 409 ``erasure.already_pending`` while one waits."""
    named = None if data.person_id is msgspec.UNSET else data.person_id
    return await erasure.ask(principal.person_id, data.reason, named_person=named)


@get("/api/v1/me/erasure", guards=[signed_in], tags=TAGS)
async def my_erasure_requests(principal: CurrentPrincipal) -> list[ErasureOut]:
    """The caller's erasure requests and their decisions, newest first."""
    return await erasure.of_person(principal.person_id)


CONTROLLERS = [my_data, ask_erasure, my_erasure_requests]
