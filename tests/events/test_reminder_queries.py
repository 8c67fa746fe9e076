"""One reminder run costs the same number of statements for 5 seats as for 500."""

from __future__ import annotations

import json
from datetime import timedelta

from events.services.reminders import send_due_reminders
from grandrounds.db import now
from notifications.tables import OutboxMessage
from tests.builders.queries import counting_queries
from tests.builders.webinars import crowded_webinar


async def _statements_of_a_run(seats: int) -> int:
    start = now() + timedelta(hours=2)
    await crowded_webinar(seats, start)
    with counting_queries() as log:
        queued = await send_due_reminders(start - timedelta(minutes=30))
    assert queued == seats
    rows = await OutboxMessage.select(OutboxMessage.context).where(
        OutboxMessage.template == "session_reminder"
    )
    contexts = [json.loads(r["context"]) if isinstance(r["context"], str) else r["context"] for r in rows]
    zones = {c["starts_local"].rsplit(" ", 1)[-1] for c in contexts}
    assert {"UTC", "JST"} <= zones, "each reminder speaks the reader's time zone"
    return log.count


async def test_a_reminder_run_issues_a_constant_number_of_statements() -> None:
    few = await _statements_of_a_run(5)
    # The first webinar is still due, but everyone in it was reminded: nothing is queued twice.
    many = await _statements_of_a_run(500)
    assert many == few
    assert await OutboxMessage.count().where(OutboxMessage.template == "session_reminder") == 505
