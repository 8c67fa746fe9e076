"""Who else must hear when a place ends: a registry other packages fill, so events imports none of them.

A place *ends* when it moves to one of ``registration_status.ENDED``
(cancelled, refunded, expired): one at a time, or many at once when staff
cancel a session or the whole event, always through
events.services.registration.lifecycle, the only caller of ``places_ended``.
Billing, for one, gives back the points spent on a place that was never
used. Hooks run inside the transaction that ended the place, after its new
status is written, so what they write commits or rolls back with it; they
must not open a transaction of their own nor call out of the process
(Stripe, SMTP).

The shell registers the hooks (``grandrounds.server.wiring.wire_all``) in
every process that can end places: the server and the background worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from grandrounds.registry import Registry

WithdrawalHook = Callable[[int], Awaitable[None]]
"""Called with the id of a registration that has just ended (its row already says how)."""

WITHDRAWAL_HOOKS: Registry[WithdrawalHook] = Registry("withdrawal hooks")


def register_withdrawal_hook(hook: WithdrawalHook) -> None:
    """Add a hook once; registering the same function again (a second app in one process) is a no-op."""
    WITHDRAWAL_HOOKS.add(hook)


async def places_ended(registration_ids: Iterable[int]) -> None:
    """Tell every registered hook about each ended place, inside the caller's transaction."""
    ids = list(registration_ids)
    for hook in WITHDRAWAL_HOOKS:
        for registration_id in ids:
            await hook(registration_id)
