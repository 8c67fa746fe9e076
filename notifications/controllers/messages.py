"""The messages API: staff watch the queue and retry failures; everyone sees their own record."""

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
        status: FromQuery[str | None] = None,
        template: FromQuery[str | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> MessagePage:
        return await records.list_messages(status, template, limit, offset)

    @post("/{message_id:int}/retry", status_code=HTTP_200_OK)
    async def retry(self, message_id: FromPath[int]) -> MessageOut:
        return await records.retry(message_id)

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
