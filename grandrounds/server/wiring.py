"""Plug every package into the registries of the packages below it: one place, every process.

Lower packages offer registries (``grandrounds.registry``) for what only a
higher package knows; this module fills all of them. The app factory and
``grandrounds worker`` both call :func:`wire_all`, so a hook added here
reaches every process that can need it (a withdrawal hook missing from the
worker would leave points unreturned on expired holds). Registries ignore
what they already hold, so wiring again (every app a test builds) is a no-op.

The dispatcher's chores are listed here too (:func:`chores`): the jobs each
package leaves to the background, run by the app's embedded dispatcher and
the worker alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from accounts.profile import register_section
from accounts.services.password_reset import deliver_requested_links
from accounts.services.standing import register_role_source
from accounts.services.throttle import forget_old_records
from billing.memberships.points_returns import on_place_ended
from billing.memberships.standing import member_roles
from billing.payments.lapsed_checkouts import expire_lapsed_checkouts
from billing.stripe_client import StripeAccount
from events.pages.catalogue import register_event_links
from events.services import feed_entries as event_entries
from events.services.consultations import delivery as consultation_delivery
from events.services.invites import delivery as invite_delivery
from events.services.registration.registering import expire_holds, expire_offers
from events.services.registration.withdrawal_hooks import register_withdrawal_hook
from events.services.reminders import send_due_reminders
from library.services.event_links import recordings_of
from notifications.feeds import register_source as register_feed_source
from notifications.invites import register_resolver
from programs.services import feed_entries as cohort_entries
from programs.services.certificates import sweep as issue_due_certificates
from programs.services.ladder import profile_lines
from records.services import erasure
from records.services.chore import daily_retention

Chore = Callable[[], Awaitable[int]]


def wire_all() -> None:
    """Fill every registry; safe to call again (each registration is idempotent)."""
    # Who is a member today is billing's to say; accounts asks (offers and reminders price places too).
    register_role_source(member_roles)
    # Points spent on a place come back when it ends unused, in every process that ends places.
    register_withdrawal_hook(on_place_ended)
    # Calendar feeds gather entries from the packages that know them (notifications imports none).
    register_feed_source(event_entries.for_person)
    register_feed_source(cohort_entries.for_person)
    # Queued calendar invites are built at delivery from events' rows.
    register_resolver("session", invite_delivery.resolve_session)
    register_resolver("event", invite_delivery.resolve_event)
    register_resolver("booking", consultation_delivery.resolve_booking)
    # The account page shows the fellows rung; the event page links the library's recordings.
    register_section(profile_lines)
    register_event_links(recordings_of)
    # The account page says when an erasure request waits for an admin.
    register_section(erasure.profile_lines)


def chores(stripe_account: StripeAccount | None = None) -> list[Chore]:
    """The background jobs, in order. With a Stripe account the dispatcher also closes Stripe's
    checkout pages whose hold lapsed, right after ``expire_holds`` released them. Password links
    asked for are made here, off the request path, so asking does the same work for any address.
    The retention schedule comes last: it runs once a day for the whole cluster (a lease), so
    most passes it only reads one row."""
    jobs: list[Chore] = [
        expire_offers,
        expire_holds,
        send_due_reminders,
        issue_due_certificates,
        deliver_requested_links,
        forget_old_records,
        daily_retention,
    ]
    if stripe_account is not None:
        jobs.insert(2, partial(expire_lapsed_checkouts, stripe_account))
    return jobs
