"""An admin's page of one person: profile, roles history, who saw or changed their data.

Looking is recorded (``person.view``); the person sees it on their account page.
"""

from __future__ import annotations

from litestar import get
from litestar.params import FromPath
from litestar.response import Template

from accounts.principal import Role
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.times import clock, viewer_zone
from records.services import person_record

ADMIN = [requires(Role.ADMIN)]


@get("/admin/people/{person_id:int}", guards=ADMIN, include_in_schema=False, opt={"audit": "person.view"})
async def person_page(principal: CurrentPrincipal, person_id: FromPath[int]) -> Template:
    """One person: profile, roles history, who saw or changed their data; the visit is recorded."""
    record = await person_record.view_person(person_id)
    return Template(
        "records/person.html",
        context={"record": record, "local": clock(await viewer_zone(principal.person_id))},
    )


CONTROLLERS = [person_page]
