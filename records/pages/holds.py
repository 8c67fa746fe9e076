"""The admin page of legal holds: the list, a form to place one, a button to release each.

A form with a mistake comes back with what was typed and the message (and the
status code of the refusal); nothing is stored until the hold is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Role
from grandrounds.errors import DomainError, request_invalid
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from records.schemas import LegalHoldIn
from records.services import holds

Form = URLEncodedBody[dict[str, str]]
FIELD_CAP = 2_000  # beyond the reason's limit: the service gives the message


def _hold_from(form: Mapping[str, str]) -> LegalHoldIn:
    raw_id = form.get("scope_id", "").strip()
    if not raw_id.isdigit() or len(raw_id) > 12:
        raise request_invalid(
            "Give the id of the person, event or cohort as a number.", {"field": "scope_id"}
        )
    return LegalHoldIn(
        reason=form.get("reason", ""), scope_kind=form.get("scope_kind", ""), scope_id=int(raw_id)
    )


async def _page(
    form: Mapping[str, str] | None = None, error: DomainError | None = None, done: str = ""
) -> Template:
    return Template(
        "records/legal_holds.html",
        context={
            "holds": await holds.list_holds(),
            "kinds": holds.SCOPE_KINDS,
            "form": dict(form or {"scope_kind": "person"}),
            "error": error.message if error else None,
            "error_field": error.details.get("field") if error else None,
            "done": done,
        },
        status_code=error.status_code if error else 200,
    )


class LegalHoldPages(Controller):
    include_in_schema = False
    guards = [requires(Role.ADMIN)]

    @get("/admin/legal-holds")
    async def list_page(self, done: FromQuery[str | None] = None) -> Template:
        return await _page(done={"placed": "placed", "released": "released"}.get(done or "", ""))

    @post("/admin/legal-holds", opt={"audit": "legal_hold.place"})
    async def place(self, principal: CurrentPrincipal, data: Form) -> Response[Any]:
        form = {
            key: value[:FIELD_CAP]
            for key, value in data.items()
            if key in ("reason", "scope_kind", "scope_id")
        }
        try:
            await holds.place(_hold_from(form), principal.person_id)
        except DomainError as exc:
            return await _page(form, exc)
        return Redirect(path="/admin/legal-holds?done=placed", status_code=303)

    @post("/admin/legal-holds/{hold_id:int}/release", opt={"audit": "legal_hold.release"})
    async def release(self, principal: CurrentPrincipal, hold_id: FromPath[int]) -> Response[Any]:
        try:
            await holds.release(hold_id, principal.person_id)
        except DomainError as exc:
            return await _page(error=exc)
        return Redirect(path="/admin/legal-holds?done=released", status_code=303)


CONTROLLERS = [LegalHoldPages]
