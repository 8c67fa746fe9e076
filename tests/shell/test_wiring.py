"""One wiring for every process: the worker holds the same hooks as the app, and wiring twice is once."""

from __future__ import annotations

import pytest

from events.services.registration.withdrawal_hooks import WITHDRAWAL_HOOKS
from grandrounds.registry import every_registry, set_aside
from grandrounds.server.app import create_app
from grandrounds.server.background import worker_dispatcher
from grandrounds.server.wiring import wire_all
from grandrounds.settings import get_settings
from notifications.invites import INVITE_RESOLVERS, InviteRef, ResolvedInvite


def wired() -> dict[str, tuple[object, ...]]:
    return {registry.name: registry.contents() for registry in every_registry()}


def test_the_worker_is_wired_as_the_app_is() -> None:
    with set_aside():
        create_app(get_settings())
        by_app = wired()
    with set_aside():
        worker_dispatcher(get_settings())
        by_worker = wired()
    assert by_worker == by_app
    empty = sorted(name for name, contents in by_app.items() if not contents)
    assert empty == [], f"registries nothing fills: {empty}"
    assert {"role sources", "withdrawal hooks", "invite resolvers", "calendar feed sources"} <= set(by_app)


def test_wiring_again_registers_nothing_twice() -> None:
    with set_aside():
        wire_all()
        once = wired()
        wire_all()
        create_app(get_settings())
        assert wired() == once


def test_set_aside_gives_back_the_run_s_wiring() -> None:
    wire_all()
    before = wired()
    with set_aside():
        assert all(not contents for contents in wired().values())
    assert wired() == before


def test_a_keyed_registry_refuses_a_second_answer_for_a_key() -> None:
    async def one(ref: InviteRef) -> ResolvedInvite:
        raise NotImplementedError

    async def other(ref: InviteRef) -> ResolvedInvite:
        raise NotImplementedError

    with set_aside():
        INVITE_RESOLVERS.add("session", one)
        INVITE_RESOLVERS.add("session", one)
        assert INVITE_RESOLVERS.contents() == (("session", one),)
        with pytest.raises(ValueError, match="already answered"):
            INVITE_RESOLVERS.add("session", other)
        with pytest.raises(ValueError, match="unknown key"):
            INVITE_RESOLVERS.add("webinar", one)


def test_a_registry_keeps_order_and_ignores_repeats() -> None:
    async def first(registration_id: int) -> None: ...

    async def second(registration_id: int) -> None: ...

    with set_aside():
        for hook in (first, second, first):
            WITHDRAWAL_HOOKS.add(hook)
        assert list(WITHDRAWAL_HOOKS) == [first, second]
        with WITHDRAWAL_HOOKS.only(second):
            assert list(WITHDRAWAL_HOOKS) == [second]
        assert list(WITHDRAWAL_HOOKS) == [first, second]
