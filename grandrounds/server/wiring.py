"""Plug every package into the registries of the packages below it: one place, every process.

Lower packages offer registries (``grandrounds.registry``) for what only a
higher package knows; this module fills all of them. The app factory and
``grandrounds worker`` both call :func:`wire_all`, so a hook added here
reaches every process that can need it (a withdrawal hook missing from the
worker would leave points unreturned on expired holds). Registries ignore
what they already hold, so wiring again (every app a test builds) is a no-op.

The dispatcher's chores are listed here too (:func:`chores`): the jobs each
package leaves to the background and how often each runs for the whole
cluster, whichever dispatchers (the app's embedded one, the workers) run them.
"""

from __future__ import annotations

from datetime import timedelta
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
from notifications.chores import ChoreSpec
from notifications.feeds import register_source as register_feed_source
from notifications.invites import register_resolver
from programs.services import feed_entries as cohort_entries
from programs.services.certificates import sweep as issue_due_certificates
from programs.services.ladder import profile_lines
from records.services import erasure
from records.services.chore import daily_retention

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)


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


def chores(stripe_account: StripeAccount | None = None) -> list[ChoreSpec]:
    """The background jobs, their schedules for the cluster and their leases, in order.

    Each runs once per ``every`` however many dispatchers there are
    (``notifications.chores``); ``lease`` is longer than a healthy run takes.

    - Offers and holds every 15 s: a lapsed offer (48 h by default) or checkout
      hold (``GRANDROUNDS_CHECKOUT_HOLD_MINUTES``, 30 by default) must pass its
      seat to the next person in line promptly; 15 s is under 1 % of the
      shortest window, and most runs read one index and find nothing. Their
      lease is a minute: a worker killed mid-run delays them by that at most,
      and a run that overlapped a slow one would only find nothing left to end.
    - With a Stripe account, lapsed checkouts every 30 s, after ``expire_holds``
      released them: Stripe's pages live 30 minutes at least, and a payment that
      slips in meanwhile is settled (confirmed if a seat is free, else refunded).
      It calls Stripe, so it runs in the chore task, never in the mail loop's way.
    - Password links every 5 s: the person who asked is waiting for the mail.
    - Reminders every minute: they are due hours ahead, a minute late is unseen.
    - Certificates every 5 minutes: they come due with a date or a cohort's end.
    - Old throttle records every hour: they are kept a day, an hour more
      changes no limit.
    - Retention once a day, last; a failed run is retried after its 30-minute lease.
    """
    jobs = [
        ChoreSpec("offer-expiry", expire_offers, every=15 * SECOND, lease=MINUTE),
        ChoreSpec("hold-expiry", expire_holds, every=15 * SECOND, lease=MINUTE),
        ChoreSpec("session-reminders", send_due_reminders, every=MINUTE, lease=5 * MINUTE),
        ChoreSpec("certificate-sweep", issue_due_certificates, every=5 * MINUTE, lease=15 * MINUTE),
        ChoreSpec("password-links", deliver_requested_links, every=5 * SECOND, lease=MINUTE),
        ChoreSpec("forget-throttle-records", forget_old_records, every=60 * MINUTE, lease=10 * MINUTE),
        ChoreSpec("retention", daily_retention, every=timedelta(days=1), lease=30 * MINUTE),
    ]
    if stripe_account is not None:
        lapsed = partial(expire_lapsed_checkouts, stripe_account)
        jobs.insert(2, ChoreSpec("lapsed-checkouts", lapsed, every=30 * SECOND, lease=10 * MINUTE))
    return jobs
