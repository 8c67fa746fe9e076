"""The retention run does exactly what its dry run lists, keeps every figure, then has nothing to do."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from accounts.audit.tables import AuditEntry
from accounts.principal import Role
from accounts.tables import Person
from billing.tables import Membership
from notifications.tables import OutboxMessage
from records.inventory import RetentionClass
from records.services import retention
from records.services.bodies import BODY_KEY
from records.services.pseudonyms import erased_email, pseudonym
from tests.builders.audit import audit_rows
from tests.builders.people import Actor
from tests.builders.records import (
    audit_row,
    cme_cohort,
    earn,
    invariants,
    message,
    past_event,
    person,
    register,
    stale_credentials,
    table_counts,
)

OLD, RECENT = 1200, 30  # days since the events ended


@dataclass
class Seeded:
    attendee: Actor
    old_guest: Actor
    lonely_guest: Actor
    kept: dict[str, Actor]
    messages: dict[str, int]
    credentials: dict[str, list[int]]
    fresh_credentials: dict[str, list[int]]
    audit: dict[str, int]
    certificates: list[str]


async def seeded_site() -> Seeded:
    """Old and recent events, old unverified guests, old mail, dead credentials, CME records, ledger lines."""
    old_event = await past_event(OLD, "Grand Rounds 2023")
    recent_event = await past_event(RECENT, "Grand Rounds this autumn")

    attendee = await person(Role.MEMBER, days=OLD + 60)
    await register(old_event, attendee, amount=4500)
    old_guest = await person(Role.GUEST, days=OLD + 60, verified=False)
    await register(old_event, old_guest, amount=1500)
    lonely_guest = await person(Role.GUEST, days=500, verified=False)

    recent_attendee = await person(Role.MEMBER, days=OLD + 60)
    await register(old_event, recent_attendee)
    await register(recent_event, recent_attendee, amount=2500)
    new_guest = await person(Role.GUEST, days=100, verified=False)
    staff = await person(Role.PROGRAM_STAFF, days=OLD + 60)
    await register(old_event, staff)
    learner = await person(Role.MEMBER, days=OLD + 60, degree="MD")
    await register(old_event, learner)
    cme = await cme_cohort(ended_days_ago=OLD)
    code = await earn(cme, learner, "Lena Learner")
    paying = await person(Role.MEMBER, days=OLD + 60)
    await register(old_event, paying)
    await Membership.insert(Membership(tier="individual", person=paying.id, status="active"))

    messages = {
        "old_sent": await message(recent_attendee, days=100),
        "old_failed": await message(recent_attendee, days=200, status="failed"),
        "recent": await message(recent_attendee, days=10),
        "old_pending": await message(recent_attendee, days=120, status="pending"),
    }
    credentials = (await stale_credentials(recent_attendee, 40)).ids
    fresh = (await stale_credentials(new_guest, 10)).ids
    audit = {"old": await audit_row(2600), "recent": await audit_row(100)}
    return Seeded(
        attendee,
        old_guest,
        lonely_guest,
        {"recent attendee": recent_attendee, "new guest": new_guest, "staff": staff, "learner": learner,
         "member": paying},
        messages,
        credentials,
        fresh,
        audit,
        [code],
    )  # fmt: skip


def planned(plan: retention.RetentionPlan, retention_class: RetentionClass) -> dict[str, set[int]]:
    return {table: set(ids) for table, ids in plan.of(retention_class).rows.items()}


async def test_the_run_anonymizes_exactly_what_the_dry_run_listed_and_the_figures_stay(client) -> None:
    site = await seeded_site()
    everyone = [site.attendee.id, site.old_guest.id, *(a.id for a in site.kept.values())]
    before = await invariants(everyone, site.certificates)
    trail = await AuditEntry.count()

    plan = await retention.plan()

    assert planned(plan, RetentionClass.GUEST_ACCOUNT) == {
        "accounts_person": {site.old_guest.id, site.lonely_guest.id}
    }
    assert planned(plan, RetentionClass.ATTENDEE) == {"accounts_person": {site.attendee.id}}
    assert planned(plan, RetentionClass.MESSAGE_BODY) == {
        "notifications_outbox": {site.messages["old_sent"], site.messages["old_failed"]}
    }
    assert planned(plan, RetentionClass.CREDENTIAL) == {t: set(ids) for t, ids in site.credentials.items()}
    assert planned(plan, RetentionClass.AUDIT) == {"accounts_audit_entry": {site.audit["old"]}}
    assert all(share.held == 0 for share in plan.classes) and plan.holds == ()
    assert await AuditEntry.count() == trail, "the dry run changes nothing"

    result = await retention.apply(plan)

    assert result.done == {
        "guest_account": 2,
        "attendee": 1,
        "message_body": 2,
        "credential": sum(len(ids) for ids in site.credentials.values()),
        "audit": 1,
    }
    assert set(result.skipped.values()) == {0}
    # Exactly the listed people were anonymized; everyone else is who they were.
    erased = {
        row["id"] for row in await Person.select(Person.id).where(Person.email.like("%@erased.invalid"))
    }
    assert erased == {site.attendee.id, site.old_guest.id, site.lonely_guest.id}
    row = await Person.select().where(Person.id == site.attendee.id).first()
    assert row is not None and (row["name"], row["email"]) == (
        pseudonym(site.attendee.id),
        erased_email(site.attendee.id),
    )
    # Bodies blanked, the record of sending kept; pending and recent mail untouched.
    for key in ("old_sent", "old_failed"):
        mail = await OutboxMessage.select().where(OutboxMessage.id == site.messages[key]).first()
        assert (
            mail is not None
            and BODY_KEY in str(mail["context"])
            and "Grand Rounds" not in str(mail["context"])
        )
        assert mail["recipient"] == site.kept["recent attendee"].email
    for key in ("recent", "old_pending"):
        mail = await OutboxMessage.select().where(OutboxMessage.id == site.messages[key]).first()
        assert mail is not None and "Grand Rounds" in str(mail["context"])
    # Row counts move only where credentials were purged; ledger, CME totals, certificates stay.
    after = await invariants(everyone, site.certificates)
    purged = {table: len(ids) for table, ids in site.credentials.items()}
    assert after["rows"] == {t: n - purged.get(t, 0) for t, n in before["rows"].items()}
    assert {k: v for k, v in after.items() if k != "rows"} == {k: v for k, v in before.items() if k != "rows"}
    assert not await AuditEntry.exists().where(AuditEntry.id == site.audit["old"])
    assert await AuditEntry.exists().where(AuditEntry.id == site.audit["recent"])
    for table, ids in site.fresh_credentials.items():
        assert (await table_counts())[table] >= len(ids)

    [run] = await audit_rows("retention.run")
    assert run["actor_id"] is None and run["changes"]["done"] == result.done
    assert len(await audit_rows("person.erase")) == 3

    again = await retention.plan()
    assert again.total == 0, {share.retention.value: share.rows for share in again.classes if share.count}
    assert (await retention.apply(again)).total == 0


async def test_the_command_prints_the_dry_run_and_applies_it() -> None:
    site = await seeded_site()
    env = {**os.environ, "GRANDROUNDS_LOG_LEVEL": "warning"}

    def grandrounds(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "grandrounds.server.cli", "retention", *args],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip

    dry = grandrounds("--dry-run")
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    counts: dict[str, Any] = {line.split()[0]: line.split()[2] for line in lines[1:6]}
    assert counts == {
        "guest_account": "2",
        "attendee": "1",
        "message_body": "2",
        "credential": "8",
        "audit": "1",
    }
    assert "Dry run: nothing was changed." in dry.stdout
    assert await Person.count().where(Person.email.like("%@erased.invalid")) == 0
    assert await audit_rows("retention.run") == [] and await audit_rows("person.erase") == []

    applied = grandrounds()
    assert applied.returncode == 0, applied.stderr
    assert "Applied: guest_account 2, attendee 1, message_body 2, credential 8, audit 1." in applied.stdout
    assert await Person.count().where(Person.email.like("%@erased.invalid")) == 3
    assert len(await audit_rows("retention.run")) == 1
    assert site.attendee.id in {r["subject_id"] for r in await audit_rows("person.erase")}
