"""The messages API: staff watch their programs' queue and retry failures (admins: the whole
outbox); everyone sees their own record. Who sees what is notifications.records' rule."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_200_OK

from accounts.principal import Role
from grandrounds.web.auth import requires, signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.paging import Limit, Offset
from notifications import catalog, errors, records
from notifications.schemas import MessageOut, MessagePage, TemplateOut


class MessageController(Controller):
    path = "/api/v1/messages"
    tags = ["messages"]
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/")
    async def list_messages(
        self,
        principal: CurrentPrincipal,
        status: FromQuery[str | None] = None,
        template: FromQuery[str | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> MessagePage:
        """The messages of the programs you run, newest first (admins: every message)."""
        return await records.outbox(principal, status, template, limit, offset)

    @post("/{message_id:int}/retry", status_code=HTTP_200_OK, opt={"audit": "message.retry"})
    async def retry(self, principal: CurrentPrincipal, message_id: FromPath[int]) -> MessageOut:
        """Send a failed message of one of your programs again (404 for anyone else's)."""
        return await records.retry(principal, message_id)

    @get("/templates")
    async def templates(self) -> list[TemplateOut]:
        return [TemplateOut(s.name, s.description, s.context) for s in catalog.all_specs()]

    @get("/templates/{name:str}")
    async def template(self, name: FromPath[str]) -> TemplateOut:
        found = catalog.spec(name)
        if found is None:
            raise errors.template_not_found()
        return TemplateOut(found.name, found.description, found.context)


class MyMessagesController(Controller):
    path = "/api/v1/me/messages"
    tags = ["messages"]
    guards = [signed_in]

    @get("/")
    async def mine(self, principal: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0) -> MessagePage:
        page = await records.list_messages(None, None, limit, offset, principal.person_id)
        # A person's own record omits delivery internals meant for staff.
        for item in page.items:
            item.last_error = ""
        return page


CONTROLLERS = [MessageController, MyMessagesController]
