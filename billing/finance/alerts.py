"""Billing alerts for finance: the list, and resolving one with a note of what was done.

Alerts are raised by settlement (money that does not match what we asked).
Resolving keeps the alert, records who resolved it, when and how, and is
refused a second time so two people acting at once cannot overwrite each
other's note. Resolving leaves one audit row with the note.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from accounts.audit import trail as audit
from accounts.principal import Principal
from billing import errors
from billing.finance.schemas import AlertOut
from billing.tables import BillingAlert
from events.tables import Registration
from grandrounds.db import now, write_transaction

Show = Literal["open", "resolved", "all"]
MAX_RESOLUTION = 2000


def _details(value: Any) -> dict[str, object]:
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _out(row: dict[str, Any]) -> AlertOut:
    return AlertOut(
        id=row["id"],
        kind=row["kind"],
        registration_id=row["registration"],
        stripe_id=row["stripe_id"],
        message=row["message"],
        details=_details(row["details"]),
        created_at=row["created_at"],
        resolved_at=row["resolved_at"],
        resolved_by=row["resolved_by"],
        resolution=row["resolution"],
    )


async def list_alerts(show: Show = "open", limit: int = 200) -> list[AlertOut]:
    """Alerts, newest first; open ones by default."""
    query = BillingAlert.select()
    if show == "open":
        query = query.where(BillingAlert.resolved_at.is_null())
    elif show == "resolved":
        query = query.where(BillingAlert.resolved_at.is_not_null())
    rows = (
        await query.order_by(BillingAlert.created_at, ascending=False).order_by(BillingAlert.id).limit(limit)
    )
    return [_out(r) for r in rows]


async def resolve_alert(principal: Principal, alert_id: int, resolution: str) -> AlertOut:
    note = resolution.strip()
    if len(note) > MAX_RESOLUTION:
        raise errors.alert_resolution_too_long(MAX_RESOLUTION)
    async with write_transaction():
        row = await BillingAlert.select().where(BillingAlert.id == alert_id).first()
        if row is None:
            raise errors.alert_not_found()
        changed = await (
            BillingAlert.update(
                {
                    BillingAlert.resolved_at: now(),
                    BillingAlert.resolved_by: principal.person_id,
                    BillingAlert.resolution: note,
                }
            )
            .where((BillingAlert.id == alert_id) & BillingAlert.resolved_at.is_null())
            .returning(BillingAlert.id)
        )
        if not changed:
            raise errors.alert_already_resolved()
        registrant = (
            await Registration.select(Registration.person)
            .where(Registration.id == row["registration"])
            .first()
            if row["registration"] is not None
            else None
        )
        await audit.record(
            "billing_alert.resolve",
            "billing_alert",
            alert_id,
            before={"resolved": False, "resolution": row["resolution"] or ""},
            after={"resolved": True, "resolution": note},
            subject_id=registrant["person"] if registrant else None,
            details={"kind": row["kind"], "registration_id": row["registration"]},
        )
        fresh = await BillingAlert.select().where(BillingAlert.id == alert_id).first()
    assert fresh is not None
    return _out(fresh)
