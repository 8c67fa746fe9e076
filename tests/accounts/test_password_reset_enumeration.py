"""Asking for a password link does the same work for every address (pentest finding 10).

The answer was 3-4 times slower for an address with an account: the request
looked the person up, made a token and queued the mail. Now the request only
records that a link was asked for; the dispatcher's chore looks the address up,
makes the token and queues the mail, off the request path. The test counts the
statements each request sends instead of timing them.
"""

from __future__ import annotations

import re

import httpx

from accounts.principal import Role
from accounts.tables import PasswordReset, Person
from notifications.tables import OutboxMessage
from tests.builders.people import make_actor
from tests.builders.queries import counting_queries

ASK = "/api/v1/auth/password-reset"


def _shape(statement: str) -> str:
    """A statement with its values taken out, so two requests' statements can be compared."""
    return re.sub(r"'[^']*'|\$\d+|\b\d+\b", "?", statement)


async def test_known_and_unknown_addresses_send_the_same_statements(client: httpx.AsyncClient) -> None:
    me = await make_actor(Role.MEMBER)
    # The first request of a run may warm caches; neither measured request is the first.
    assert (await client.post(ASK, json={"email": "warm-up@example.org"})).status_code == 202
    with counting_queries() as known:
        known_answer = await client.post(ASK, json={"email": me.email})
    with counting_queries() as unknown:
        unknown_answer = await client.post(ASK, json={"email": "nobody@example.org"})
    assert known_answer.status_code == unknown_answer.status_code == 202
    assert known_answer.content == unknown_answer.content
    assert known.count == unknown.count, (known.statements, unknown.statements)
    assert [_shape(s) for s in known.statements] == [_shape(s) for s in unknown.statements]
    touched = " ".join(known.statements + unknown.statements)
    assert "accounts_person" not in touched, "the request path must not look the address up"
    assert "accounts_password_reset" not in touched and "notifications_outbox" not in touched


async def test_the_dispatcher_makes_the_link_for_an_account_only(client: httpx.AsyncClient) -> None:
    from accounts.services.password_reset import deliver_requested_links

    me = await make_actor(Role.MEMBER)
    asleep = await make_actor(Role.MEMBER)
    await Person.update({Person.is_active: False}).where(Person.id == asleep.id)
    for email in (me.email.upper(), "nobody@example.org", asleep.email):
        assert (await client.post(ASK, json={"email": email})).status_code == 202
    assert await OutboxMessage.count() == 0 and await PasswordReset.count() == 0

    assert await deliver_requested_links() == 1
    mails = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.template)
    assert mails == [{"recipient": me.email, "template": "password_reset"}]
    assert await PasswordReset.count() == 1
    # Handled requests are not handled twice, and keep no address.
    assert await deliver_requested_links() == 0
    from accounts.tables import PasswordResetRequest

    assert {r["email"] for r in await PasswordResetRequest.select(PasswordResetRequest.email)} == {""}


async def test_the_dispatcher_runs_the_chore(client: httpx.AsyncClient, tmp_path) -> None:
    from grandrounds.server.background import default_dispatcher
    from grandrounds.settings import get_settings
    from notifications.transports import MailLogTransport

    me = await make_actor(Role.MEMBER)
    assert (await client.post(ASK, json={"email": me.email})).status_code == 202
    dispatcher = default_dispatcher(get_settings(), MailLogTransport(tmp_path / "mail.log"))
    assert await dispatcher.run_once() == 1
    assert "Subject:" in (tmp_path / "mail.log").read_text()
