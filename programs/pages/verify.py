"""Public certificate verification (no sign-in), and the printable certificate."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts.principal import Principal
from accounts.services.programs import runs_program
from grandrounds.errors import DomainError
from grandrounds.web.dependencies import Viewer
from programs.pages.common import messages
from programs.services import certificates


class VerifyPages(Controller):
    include_in_schema = False

    @get("/verify")
    async def form(self, code: FromQuery[str] = "") -> Response[Any]:
        if code:
            normal = certificates.normalize_code(code[:40])
            if normal:
                return Redirect(path=f"/verify/{normal}")
            return Template(
                "verify.html",
                context={
                    "code": code[:40],
                    "error": "That is not a verification code (it looks like ABCD-EFGH-JKMN).",
                },
                status_code=400,
            )
        return Template("verify.html", context={"code": "", "error": ""})

    @get("/verify/{code:str}")
    async def verify(
        self, request: Request[Any, Any, Any], viewer: Viewer, code: FromPath[str]
    ) -> Response[Any]:
        normal = certificates.normalize_code(code[:40])
        if normal and normal != code:
            return Redirect(path=f"/verify/{normal}")
        try:
            cert = await certificates.verify(code[:40])
        except DomainError:
            return Template(
                "verify.html",
                context={"code": code[:40], "error": "No certificate has this verification code."},
                status_code=404,
            )
        return Template(
            "verify_certificate.html",
            context={"c": cert, "may_revoke": await _may_revoke(viewer, cert.code), **messages(request)},
        )

    @get("/verify/{code:str}/print")
    async def printable(self, code: FromPath[str]) -> Template:
        cert = await certificates.verify(code[:40])
        return Template("verify_print.html", context={"c": cert})


async def _may_revoke(viewer: Principal | None, code: str) -> bool:
    if viewer is None:
        return False
    program_id = await certificates.program_of(code)
    return program_id is not None and await runs_program(viewer, program_id)


CONTROLLERS = [VerifyPages]
