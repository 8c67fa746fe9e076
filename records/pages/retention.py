"""The admin page of the retention schedule: the periods in force and what a run would do now (read only)."""

from __future__ import annotations

from dataclasses import fields

from litestar import Controller, get
from litestar.response import Template

from accounts.principal import Role
from grandrounds.settings import RETENTION_FLOORS, RetentionPeriods, get_settings, retention_variable
from grandrounds.web.auth import requires
from records.inventory import TREATMENT, RetentionClass
from records.services import retention


class RetentionPages(Controller):
    include_in_schema = False
    guards = [requires(Role.ADMIN)]

    @get("/admin/retention")
    async def schedule(self) -> Template:
        periods = get_settings().retention
        defaults = RetentionPeriods()
        plan = await retention.plan(periods=periods)
        in_force = [
            {
                "name": spec.name,
                "days": getattr(periods, spec.name),
                "default": getattr(defaults, spec.name),
                "floor": RETENTION_FLOORS.get(spec.name, (None, ""))[0],
                "variable": retention_variable(spec.name),
                "treatment": TREATMENT[RetentionClass(spec.name)],
            }
            for spec in fields(RetentionPeriods)
        ]
        return Template(
            "records/retention.html",
            context={"plan": plan, "periods": in_force},
        )


CONTROLLERS = [RetentionPages]
