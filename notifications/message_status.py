"""The states of an outbox message: the one spelling the column, the dispatcher and the records use.

A message is written pending (notifications.outbox.enqueue_email); only the
dispatcher moves it: to sent after its delivery, back to pending with a
later ``not_before`` after a failed attempt, to failed when it gives up, and
from failed to pending again when staff retry it.
"""

from __future__ import annotations

from enum import StrEnum


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
