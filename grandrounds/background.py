"""Wires the background dispatcher with every package's scheduled chores.

The shell does the wiring so that notifications need not import the packages
that use it (dependencies point one way).
"""

from __future__ import annotations

from events.services.registration import expire_offers
from grandrounds.settings import get_settings
from notifications.dispatcher import Dispatcher, new_worker_id
from notifications.transports import MailTransport, transport_for


def default_dispatcher(transport: MailTransport | None = None) -> Dispatcher:
    settings = get_settings()
    return Dispatcher(transport or transport_for(settings), settings, new_worker_id(), chores=[expire_offers])
