"""A cohort's prerequisite reading: the list for anyone, add and remove for staff of its program.

Linked from the cohort pages of programs; programs' own rules are untouched,
the list is advice to learners, not a completion requirement.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Principal, Role
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal, Viewer
from library.errors import form_invalid
from library.services import access, prerequisites
from library.services.rules import KINDS

Form = URLEncodedBody[dict[str, str]]


async def _page(viewer: Principal | None, cohort_id: int, error: DomainError | None = None) -> Template:
    cohort = await prerequisites.cohort(cohort_id)
    listed = await prerequisites.list_for(viewer, cohort_id)
    may_change = await prerequisites.may_change(viewer, cohort)
    chosen = {p.item.id for p in listed}
    choices = await prerequisites.choices(chosen) if may_change else []
    return Template(
        "library/cohort.html",
        context={
            "cohort": cohort,
            "prerequisites": [{"item": p.item, "kind": KINDS.get(p.item.kind, p.item.kind)} for p in listed],
            "may_change": may_change,
            "choices": choices,
            "join_path": access.JOIN_PATH,
            "error": error.message if error else None,
        },
        status_code=error.status_code if error else 200,
    )


class PrerequisitePages(Controller):
    include_in_schema = False

    @get("/library/cohorts/{cohort_id:int}")
    async def prerequisites_page(self, viewer: Viewer, cohort_id: FromPath[int]) -> Template:
        return await _page(viewer, cohort_id)

    @post(
        "/library/cohorts/{cohort_id:int}/prerequisites",
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "prerequisite.add"},
    )
    async def add(
        self, viewer: Viewer, principal: CurrentPrincipal, cohort_id: FromPath[int], data: Form
    ) -> Response[Any]:
        raw = (data.get("item_id") or "").strip()
        try:
            if not raw.isdigit() or len(raw) > 12:
                raise form_invalid("item_id", "Choose one of the items listed.")
            await prerequisites.add(principal, cohort_id, int(raw))
        except DomainError as exc:
            if exc.status_code in (403, 404) and exc.code != "library.not_found":
                raise
            return await _page(viewer, cohort_id, exc)
        return Redirect(path=f"/library/cohorts/{cohort_id}", status_code=303)

    @post(
        "/library/cohorts/{cohort_id:int}/prerequisites/{item_id:int}/remove",
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "prerequisite.remove"},
    )
    async def remove(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], item_id: FromPath[int]
    ) -> Redirect:
        await prerequisites.remove(principal, cohort_id, item_id)
        return Redirect(path=f"/library/cohorts/{cohort_id}", status_code=303)


CONTROLLERS = [PrerequisitePages]
