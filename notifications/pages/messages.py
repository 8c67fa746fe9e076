"""Staff pages: their programs' outbox with a retry button (admins: all of it), the mail log
(admins only), template previews; and 'my messages'."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts.principal import Role
from grandrounds.settings import get_settings
from grandrounds.web.auth import requires, signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from notifications import catalog, errors, records


class MessagePages(Controller):
    include_in_schema = False

    @get("/staff/messages", guards=[requires(Role.PROGRAM_STAFF)])
    async def queue(
        self,
        principal: CurrentPrincipal,
        status: FromQuery[str | None] = None,
        template: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        page = max(page, 1)
        listing = await records.outbox(principal, status or None, template or None, 50, (page - 1) * 50)
        return Template(
            "messages/queue.html",
            context={
                "listing": listing,
                "status": status or "",
                "template": template or "",
                "page": page,
                "statuses": records.STATUSES,
                "templates": catalog.template_names(),
                "site_wide": principal.is_admin,
            },
        )

    @post(
        "/staff/messages/{message_id:int}/retry",
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "message.retry"},
    )
    async def retry(self, principal: CurrentPrincipal, message_id: FromPath[int]) -> Redirect:
        await records.retry(principal, message_id)
        return Redirect(path="/staff/messages?status=pending")

    @get("/staff/mail", guards=[requires(Role.ADMIN)])
    async def mail_log(self) -> Template:
        settings = get_settings()
        return Template(
            "messages/mail_log.html",
            context={
                "mails": records.recent_mail(settings.mail_log),
                "smtp": bool(settings.smtp_host),
                "path": str(settings.mail_log),
            },
        )

    @get("/staff/templates", guards=[requires(Role.PROGRAM_STAFF)])
    async def templates(self) -> Template:
        return Template("messages/templates.html", context={"specs": catalog.all_specs()})

    @get("/staff/templates/{name:str}", guards=[requires(Role.PROGRAM_STAFF)])
    async def template(self, name: FromPath[str]) -> Template:
        found, rendered = catalog.spec(name), catalog.preview(name)
        if found is None or rendered is None:
            raise errors.template_not_found()
        return Template("messages/template.html", context={"spec": found, "rendered": rendered})

    @get("/account/messages", guards=[signed_in])
    async def mine(self, principal: CurrentPrincipal) -> Template:
        listing = await records.list_messages(None, None, 100, 0, principal.person_id)
        return Template("messages/mine.html", context={"listing": listing})


CONTROLLERS = [MessagePages]
