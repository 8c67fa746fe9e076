"""The records inventory is the one source: it classifies every table, and docs/records.md is it rendered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from piccolo.conf.apps import Finder

from records.inventory import INVENTORY, RetentionClass, by_table, render

ROOT = Path(__file__).resolve().parents[2]


def test_every_table_is_classified_and_every_entry_is_a_table() -> None:
    tables = {table._meta.tablename for table in Finder().get_table_classes()}
    named = [entry.table for entry in INVENTORY]
    assert len(named) == len(set(named)), "a table is listed twice"
    assert sorted(tables - set(named)) == [], "tables the inventory does not classify"
    assert sorted(set(named) - tables) == [], "inventory entries naming no table"


def test_every_entry_says_what_it_holds_and_what_anonymization_keeps() -> None:
    for entry in INVENTORY:
        assert entry.holds and entry.keeps and isinstance(entry.retention, RetentionClass), entry
    legal = {entry.table for entry in INVENTORY if entry.legal_record}
    assert {
        "billing_ledger_entry",
        "programs_certificate",
        "programs_attendance",
        "accounts_audit_entry",
    } <= legal
    assert by_table()["billing_ledger_entry"].retention == RetentionClass.LEDGER
    assert by_table()["notifications_outbox"].retention == RetentionClass.MESSAGE_BODY


def test_docs_records_md_is_the_rendered_inventory() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "records.inventory"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert printed == render()
    assert (ROOT / "docs" / "records.md").read_text() == printed, (
        "docs/records.md is stale: python -m records.inventory > docs/records.md"
    )
