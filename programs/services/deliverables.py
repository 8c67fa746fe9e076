"""Deliverables (the residency's strategic social media plan): upload, review, and private download.

Files live in the process's file store (grandrounds.storage: ``var/deliverables``
by default, a bucket's ``deliverables/`` for several machines) under names we
make, never the uploader's; only PDF and Word (.docx) are taken, checked by
content and not by the name alone, up to 10 MB. Only the learner and their
program's staff can download them; anyone else gets 404.

A row never points at nothing it could have known about: the file is stored
first and the row written after, so a store that is down refuses the upload
(503 ``storage.unavailable``) with nothing written, and a row that fails to
commit takes its file back out of the store.
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import zipfile
from pathlib import Path
from typing import Any

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.services.programs import runs_program
from accounts.tables import Person
from grandrounds import storage
from grandrounds.db import now, write_transaction
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email
from programs import errors
from programs.schemas import DeliverableOut
from programs.services.access import active_member, cohort_for_staff
from programs.services.certificates import issue_due
from programs.services.cohort_facts import load_cohort
from programs.services.cohorts import policy_row
from programs.services.rules import rules_for
from programs.tables import Deliverable

log = logging.getLogger("grandrounds.programs")

MAX_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def storage_key(storage_name: str) -> str:
    """The file's key in the store; ``storage_name`` is the row's, made by :func:`upload`."""
    return f"deliverables/{storage_name}"


def sniff(data: bytes) -> tuple[str, str]:
    """(content type, extension) from the bytes themselves; refuses anything but PDF and DOCX."""
    if data.startswith(b"%PDF-"):
        return PDF, "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX, "docx"
        except zipfile.BadZipFile:
            pass
    raise errors.deliverable_type()


def _out(row: dict[str, Any]) -> DeliverableOut:
    return DeliverableOut(
        id=row["id"],
        cohort_id=row["cohort"],
        person_id=row["person"],
        filename=row["filename"],
        content_type=row["content_type"],
        size=row["size"],
        status=row["status"],
        review_note=row["review_note"],
        uploaded_at=row["uploaded_at"],
        reviewed_at=row["reviewed_at"],
    )


def _clean_filename(name: str, extension: str) -> str:
    base = "".join(c for c in Path(name or "").name if c.isprintable() and c not in '"\\/')[:200].strip()
    if not base.lower().endswith(f".{extension}"):
        base = f"{base or 'deliverable'}.{extension}"
    return base


async def upload(principal: Principal, cohort_id: int, filename: str, data: bytes) -> DeliverableOut:
    await load_cohort(cohort_id)
    await active_member(cohort_id, principal.person_id)
    if not (await policy_row(cohort_id))["requires_deliverable"]:
        raise errors.deliverable_not_required()
    if len(data) > MAX_BYTES:
        raise errors.deliverable_size(MAX_BYTES // (1024 * 1024))
    if not data:
        raise errors.deliverable_type()
    content_type, extension = sniff(data)
    storage_name = f"{secrets.token_hex(16)}.{extension}"
    key = storage_key(storage_name)
    files = storage.current()
    await files.put(key, data, content_type)  # a store that is down: 503, and no row
    try:
        async with write_transaction():
            row = (
                await Deliverable.insert(
                    Deliverable(
                        cohort=cohort_id,
                        person=principal.person_id,
                        storage_name=storage_name,
                        filename=_clean_filename(filename, extension),
                        content_type=content_type,
                        size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(),
                    )
                ).returning(Deliverable.id)
            )[0]
    except BaseException:
        await _take_back(files, key)  # no file without its record
        raise
    return await deliverable_out(row["id"])


async def _take_back(files: storage.Storage, key: str) -> None:
    """Remove a file whose row was not written; if the store fails now too, say so and leave it."""
    try:
        await files.delete(key)
    except Exception:
        log.warning("deliverable file %s has no row and could not be removed from %s", key, files.describe())


async def deliverable_out(deliverable_id: int) -> DeliverableOut:
    row = await Deliverable.select().where(Deliverable.id == deliverable_id).first()
    if row is None:
        raise errors.deliverable_not_found()
    return _out(row)


async def _visible(principal: Principal, deliverable_id: int) -> dict[str, Any]:
    row = await Deliverable.select().where(Deliverable.id == deliverable_id).first()
    if row is None:
        raise errors.deliverable_not_found()
    if row["person"] == principal.person_id:
        return row
    cohort = await load_cohort(row["cohort"])
    if not await runs_program(principal, cohort.program_id):
        raise errors.deliverable_not_found()
    return row


async def open_file(principal: Principal, deliverable_id: int) -> tuple[dict[str, Any], bytes]:
    row = await _visible(principal, deliverable_id)
    files = storage.current()
    try:
        return row, await files.get(storage_key(row["storage_name"]))
    except storage.ObjectMissing:
        log.warning("deliverable %s: file %s missing in %s", row["id"], row["storage_name"], files.describe())
        raise errors.deliverable_file_missing() from None


async def list_for_cohort(principal: Principal, cohort_id: int) -> list[dict[str, Any]]:
    """Every learner's newest version, waiting reviews first, with the learner's name."""
    await cohort_for_staff(principal, cohort_id)
    rows = (
        await Deliverable.select(*Deliverable.all_columns(), Deliverable.person.name.as_alias("person_name"))
        .where(Deliverable.cohort == cohort_id)
        .order_by(Deliverable.id)
    )
    newest: dict[int, dict[str, Any]] = {}
    for row in rows:
        newest[row["person"]] = row
    order = {"submitted": 0, "returned": 1, "passed": 2}
    return sorted(newest.values(), key=lambda r: (order.get(r["status"], 3), r["person_name"].lower()))


async def mine(person_id: int, cohort_id: int) -> list[DeliverableOut]:
    rows = (
        await Deliverable.select()
        .where((Deliverable.cohort == cohort_id) & (Deliverable.person == person_id))
        .order_by(Deliverable.id)
    )
    return [_out(r) for r in rows]


async def review(principal: Principal, deliverable_id: int, decision: str, note: str) -> DeliverableOut:
    """Pass it, or return it with a note saying what to change; the learner is told by email."""
    row = await Deliverable.select().where(Deliverable.id == deliverable_id).first()
    if row is None:
        raise errors.deliverable_not_found()
    cohort = await cohort_for_staff(principal, row["cohort"])
    note = note.strip()
    if decision not in ("pass", "return") or (decision == "return" and not note):
        raise errors.review_decision_invalid()
    status = "passed" if decision == "pass" else "returned"
    rules = await rules_for(cohort.program_id)
    person = await Person.select(Person.email, Person.name).where(Person.id == row["person"]).first()
    async with write_transaction():
        current = (
            await Deliverable.select(Deliverable.status, Deliverable.review_note)
            .where(Deliverable.id == deliverable_id)
            .first()
        )
        await Deliverable.update(
            {
                Deliverable.status: status,
                Deliverable.review_note: note,
                Deliverable.reviewed_by: principal.person_id,
                Deliverable.reviewed_at: now(),
            }
        ).where(Deliverable.id == deliverable_id)
        await audit.record(
            "deliverable.review",
            "deliverable",
            deliverable_id,
            before=current,
            after={"status": status, "review_note": note},
            subject_id=row["person"],
            details={"cohort_id": cohort.id},
        )
        if person is not None:
            await enqueue_email(
                "deliverable_reviewed",
                person["email"],
                {
                    "name": person["name"],
                    "title": rules.deliverable_title,
                    "cohort": cohort.name,
                    "passed": status == "passed",
                    "note": note,
                    "progress_url": f"{get_settings().base_url}/my/cohorts/{cohort.id}",
                },
                person_id=row["person"],
                program_id=cohort.program_id,
            )
    if status == "passed":
        await issue_due(cohort.id, [row["person"]])
    return await deliverable_out(deliverable_id)
