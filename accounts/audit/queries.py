"""Reading the audit trail: the admin's filtered list and CSV, and a person's "who saw my data".

One filter (:class:`AuditFilter`) serves the admin page, the JSON API and the CSV
download, so the three always agree on what a query matches. A filter that
cannot mean anything is refused with a code (an action that is not in
:data:`accounts.audit.actions.ACTIONS`, a day that is not YYYY-MM-DD, a period
that ends before it starts, an email no account has) instead of quietly
matching nothing, so an admin never reads "no rows" as "nobody did it".

Days are read in the viewer's time zone, the zone the page shows times in: a
filter for 14 March means 14 March on the viewer's clock. Every list loads in a
fixed number of queries (the rows, their count, the people they name).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts import errors
from accounts.audit.actions import ACTIONS
from accounts.audit.schemas import AuditPage, AuditRowOut, DataAccessLine
from accounts.audit.tables import AuditEntry
from accounts.audit.trail import record_export
from accounts.services.people import normalize_email
from accounts.tables import Person
from grandrounds.spreadsheets import safe_cell

SYSTEM = "System"
CSV_ROWS_MAX = 100_000
"""The most rows one CSV download carries; narrow the filter (a period) for more."""
PERSON_LINES_MAX = 200
"""The most recent lines a person's "who has seen or changed your data" list shows."""

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"\d{1,12}")
CSV_COLUMNS = (
    "at_utc",
    "actor_id",
    "actor_name",
    "role",
    "action",
    "action_words",
    "object_kind",
    "object_id",
    "subject_id",
    "subject_name",
    "changes",
    "client_address",
    "request_id",
)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What an admin asked for; every field is optional and they all must hold (AND)."""

    actor_id: int | None = None
    action: str | None = None
    object_kind: str | None = None
    object_id: str | None = None
    subject_id: int | None = None
    since: datetime | None = None  # inclusive, UTC
    before: datetime | None = None  # exclusive, UTC
    # The days as given (for the form and the export's record), and the zone they were read in.
    from_day: str = ""
    to_day: str = ""
    zone: str = "UTC"

    def described(self) -> dict[str, Any]:
        """The filter as facts for the export's own audit row (no empties)."""
        facts = asdict(self)
        for dropped in ("since", "before"):
            facts.pop(dropped)
        if not (self.from_day or self.to_day):
            facts.pop("zone")
        return {key: value for key, value in facts.items() if value not in (None, "")}


def _blank(value: str | None) -> str | None:
    stripped = (value or "").strip()
    return stripped or None


def _day(raw: str, field: str) -> date:
    if not _DAY.fullmatch(raw):
        raise errors.audit_date_invalid(field)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise errors.audit_date_invalid(field) from None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _person_id(raw: str, field: str) -> int:
    if not _ID.fullmatch(raw):
        raise errors.audit_filter_invalid(field, "Give a person's id, a whole number.")
    return int(raw)


async def _actor(raw: str) -> int:
    if _ID.fullmatch(raw):
        return int(raw)
    if len(raw) > 254:
        raise errors.audit_actor_unknown()
    try:
        email = normalize_email(raw)
    except Exception:
        raise errors.audit_actor_unknown() from None
    row = await Person.select(Person.id).where(Person.email == email).first()
    if row is None:
        raise errors.audit_actor_unknown()
    return int(row["id"])


async def parse_filter(
    *,
    actor: str | None = None,
    action: str | None = None,
    object_kind: str | None = None,
    object_id: str | None = None,
    subject: str | None = None,
    from_day: str | None = None,
    to_day: str | None = None,
    zone: str = "UTC",
) -> AuditFilter:
    """Check what an admin typed and turn it into a filter, or refuse it with a code (nothing is read).

    ``from_day``/``to_day`` are whole days in ``zone``, both included.
    """
    action, kind, object_ = _blank(action), _blank(object_kind), _blank(object_id)
    actor, subject = _blank(actor), _blank(subject)
    first, last = _blank(from_day), _blank(to_day)
    if action is not None and action not in ACTIONS:
        raise errors.audit_action_unknown(action)
    if kind is not None and len(kind) > 40:
        raise errors.audit_filter_invalid("object_kind", "An object kind is at most 40 characters.")
    if object_ is not None:
        if kind is None:
            raise errors.audit_filter_invalid("object_kind", "Name the object's kind with its id.")
        if len(object_) > 64:
            raise errors.audit_filter_invalid("object_id", "An object id is at most 64 characters.")
    tz = ZoneInfo(zone)
    start = _day(first, "from") if first else None
    end = _day(last, "to") if last else None
    if start and end and start > end:
        raise errors.audit_range_reversed()
    return AuditFilter(
        actor_id=await _actor(actor) if actor else None,
        action=action,
        object_kind=kind,
        object_id=object_,
        subject_id=_person_id(subject, "subject") if subject else None,
        since=_midnight(start, tz) if start else None,
        before=_midnight(end + timedelta(days=1), tz) if end else None,
        from_day=first or "",
        to_day=last or "",
        zone=zone,
    )


def _where(query: Any, chosen: AuditFilter) -> Any:
    if chosen.actor_id is not None:
        query = query.where(AuditEntry.actor_id == chosen.actor_id)
    if chosen.action is not None:
        query = query.where(AuditEntry.action == chosen.action)
    if chosen.object_kind is not None:
        query = query.where(AuditEntry.object_kind == chosen.object_kind)
    if chosen.object_id is not None:
        query = query.where(AuditEntry.object_id == chosen.object_id)
    if chosen.subject_id is not None:
        query = query.where(AuditEntry.subject_id == chosen.subject_id)
    if chosen.since is not None:
        query = query.where(AuditEntry.at >= chosen.since)
    if chosen.before is not None:
        query = query.where(AuditEntry.at < chosen.before)
    return query


def _newest_first(query: Any) -> Any:
    return query.order_by(AuditEntry.at, ascending=False).order_by(AuditEntry.id, ascending=False)


async def _names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = await Person.select(Person.id, Person.name).where(Person.id.is_in(wanted))
    return {int(r["id"]): str(r["name"]) for r in rows}


def _name(person_id: int | None, names: Mapping[int, str]) -> str:
    if person_id is None:
        return SYSTEM
    return names.get(person_id, f"Person #{person_id}")


def _changes(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        decoded = json.loads(raw or "{}")
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _row_out(row: Mapping[str, Any], names: Mapping[int, str]) -> AuditRowOut:
    return AuditRowOut(
        id=int(row["id"]),
        at=row["at"],
        actor_id=row["actor_id"],
        actor_name=_name(row["actor_id"], names),
        role=str(row["role"]),
        action=str(row["action"]),
        action_words=ACTIONS.get(row["action"], row["action"]),
        object_kind=str(row["object_kind"]),
        object_id=str(row["object_id"]),
        subject_id=row["subject_id"],
        subject_name="" if row["subject_id"] is None else _name(row["subject_id"], names),
        changes=_changes(row["changes"]),
        client_address=str(row["client_address"]),
        user_agent=str(row["user_agent"]),
        request_id=str(row["request_id"]),
    )


async def _rows_out(rows: list[dict[str, Any]]) -> list[AuditRowOut]:
    names = await _names([r["actor_id"] for r in rows] + [r["subject_id"] for r in rows])
    return [_row_out(r, names) for r in rows]


async def search(chosen: AuditFilter, limit: int, offset: int) -> AuditPage:
    """One page of matching rows, newest first, with the total that match."""
    rows = await _newest_first(_where(AuditEntry.select(), chosen)).limit(limit).offset(offset)
    total = await _where(AuditEntry.count(), chosen)
    return AuditPage(items=await _rows_out(list(rows)), total=int(total), limit=limit, offset=offset)


def _csv(rows: list[AuditRowOut]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        texts = (r.actor_name, r.role, r.action, r.action_words, r.object_kind, r.object_id)
        writer.writerow(
            [
                r.at.astimezone(UTC).isoformat(),
                "" if r.actor_id is None else r.actor_id,
                *(safe_cell(t) for t in texts),
                "" if r.subject_id is None else r.subject_id,
                safe_cell(r.subject_name),
                safe_cell(json.dumps(r.changes, sort_keys=True, ensure_ascii=False)),
                safe_cell(r.client_address),
                safe_cell(r.request_id),
            ]
        )
    return out.getvalue()


async def export_csv(chosen: AuditFilter) -> str:
    """Every matching row (up to :data:`CSV_ROWS_MAX`, newest first) as CSV; the download is itself audited.

    Cells that start like a formula get a leading apostrophe (grandrounds.spreadsheets);
    the export's own row (``export.audit_csv``) records how many rows left and for which filter.
    """
    rows = await _newest_first(_where(AuditEntry.select(), chosen)).limit(CSV_ROWS_MAX)
    body = _csv(await _rows_out(list(rows)))
    await record_export(
        "export.audit_csv",
        "audit_trail",
        "filtered",
        rows=len(rows),
        subject_id=chosen.subject_id,
        details={"filter": chosen.described()},
    )
    return body


async def about_person(person_id: int, limit: int = PERSON_LINES_MAX) -> list[DataAccessLine]:
    """Who saw or changed ``person_id``'s data (rows naming them as subject), newest first."""
    rows = await _newest_first(
        AuditEntry.select(AuditEntry.at, AuditEntry.actor_id, AuditEntry.role, AuditEntry.action).where(
            AuditEntry.subject_id == person_id
        )
    ).limit(limit)
    names = await _names(r["actor_id"] for r in rows)
    return [
        DataAccessLine(
            at=r["at"],
            actor_name=_name(r["actor_id"], names),
            role=str(r["role"]),
            action=str(r["action"]),
            action_words=ACTIONS.get(r["action"], r["action"]),
        )
        for r in rows
    ]
