"""Finance pages: totals, reconciliation with "record missing", CSV exports, billing alerts.

Server-rendered forms that work without JavaScript; finance and admins only
(anyone else gets 403, and a visitor who is not signed in is sent to sign
in). Plain handlers with full paths, so other finance pages can live in
their own modules without two Controllers claiming ``/finance``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Role
from billing.finance import alerts, record_missing
from billing.finance import exports as finance_exports
from billing.finance import totals as finance_totals
from billing.finance.periods import Period, month_of, parse_period
from billing.finance.reconciliation import reconcile
from billing.stripe_client import account_from
from grandrounds.db import now
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.downloads import csv_response

FINANCE = [requires(Role.FINANCE)]
Form = URLEncodedBody[dict[str, str]]
FINDING_LABELS = {
    "missing_in_ledger": "In Stripe, missing from the ledger",
    "missing_in_stripe": "In the ledger, missing from Stripe",
    "amount_differs": "Amount differs",
    "currency_differs": "Currency differs",
    "unexplained_fee": "Unexplained fee",
}
BASIS_LABELS = {"payment": "Payment date", "event": "Event date"}


def _period_fields(period: Period | None) -> dict[str, str]:
    if period is None:
        return {"from": "", "to": ""}
    return {"from": period.start.date().isoformat(), "to": period.end.date().isoformat()}


def money(minor: int | None, currency: str) -> str:
    return "" if minor is None else f"{finance_totals.display(minor, currency)} {currency}"


@get("/finance", guards=FINANCE, include_in_schema=False)
async def finance_index(request: Request[Any, Any, Any]) -> Template:
    """Totals per event, program and membership tier, for a period by payment date (all time by default)."""
    params = request.query_params
    error: DomainError | None = None
    period: Period | None = None
    try:
        period = parse_period(params.get("from"), params.get("to"), required=False)
    except DomainError as exc:
        error = exc
    tables = [await finance_totals.totals(by, period) for by in finance_totals.GROUPINGS] if not error else []
    return Template(
        "finance/index.html",
        context={
            "tables": tables,
            "headings": {"event": "Per event", "program": "Per program", "tier": "Per membership tier"},
            "filters": {"from": params.get("from", ""), "to": params.get("to", "")},
            "error": error.message if error else "",
            "money": money,
            "period": period,
        },
        status_code=error.status_code if error else 200,
    )


async def _reconciliation_page(
    default: Period, fields: dict[str, str] | None = None, error: DomainError | None = None
) -> Template:
    return Template(
        "finance/reconciliation.html",
        context={
            "runs": await record_missing.list_runs(),
            "filters": fields or _period_fields(default),
            "error": error.message if error else "",
        },
        status_code=error.status_code if error else 200,
    )


@get("/finance/reconciliation", guards=FINANCE, include_in_schema=False)
async def reconciliation_index() -> Template:
    """The form to reconcile a period (last month by default) and the latest runs."""
    return await _reconciliation_page(month_of(month_of(now()).start - timedelta(days=1)))


@post("/finance/reconciliation", guards=FINANCE, include_in_schema=False, opt={"audit": "reconciliation.run"})
async def reconciliation_run(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, data: Form
) -> Template | Redirect:
    fields = {"from": data.get("from", ""), "to": data.get("to", "")}
    try:
        period = parse_period(fields["from"], fields["to"])
        assert period is not None
        run_id = await reconcile(account_from(request.app.state), period, principal.person_id)
    except DomainError as exc:
        return await _reconciliation_page(month_of(now()), fields, exc)
    return Redirect(path=f"/finance/reconciliation/{run_id}", status_code=303)


@get("/finance/reconciliation/{run_id:int}", guards=FINANCE, include_in_schema=False)
async def reconciliation_report(request: Request[Any, Any, Any], run_id: FromPath[int]) -> Template:
    run = await record_missing.get_run(run_id)
    recorded = request.query_params.get("recorded")
    return Template(
        "finance/report.html",
        context={
            "run": run,
            "labels": FINDING_LABELS,
            "money": money,
            "recordable": sum(1 for f in run.findings if f.recordable),
            "recorded": int(recorded) if recorded and recorded.isdigit() else None,
            "rerun": _period_fields(Period(run.period_start, run.period_end)),
        },
    )


@post(
    "/finance/reconciliation/{run_id:int}/record-missing",
    guards=FINANCE,
    include_in_schema=False,
    opt={"audit": "reconciliation.record_missing"},
)
async def reconciliation_record(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, run_id: FromPath[int], data: Form
) -> Redirect:
    """Import the run's missing objects from Stripe (one finding, or all that can be)."""
    raw = data.get("finding_id", "").strip()
    ids = [int(raw)] if raw.isdigit() else None
    outcome = await record_missing.record_missing(account_from(request.app.state), principal, run_id, ids)
    return Redirect(
        path=f"/finance/reconciliation/{run_id}?recorded={len(outcome.recorded)}", status_code=303
    )


def _export_query(
    request: Request[Any, Any, Any],
) -> tuple[finance_exports.Basis, Period | None, dict[str, str]]:
    params = request.query_params
    basis: finance_exports.Basis = "event" if params.get("basis") == "event" else "payment"
    fields = {"basis": basis, "from": params.get("from", ""), "to": params.get("to", "")}
    return basis, parse_period(fields["from"], fields["to"], required=False), fields


@get("/finance/exports", guards=FINANCE, include_in_schema=False)
async def exports_index(request: Request[Any, Any, Any]) -> Template:
    """Choose the date (payment or event) and the period; download ledger entries or payments as CSV."""
    error: DomainError | None = None
    preview: list[Any] = []
    total = 0
    fields: dict[str, str] = {"basis": "payment", "from": "", "to": ""}
    try:
        basis, period, fields = _export_query(request)
        preview, total = await finance_exports.payment_rows(basis, period, limit=50)
    except DomainError as exc:
        error = exc
    query = urlencode({k: v for k, v in fields.items() if v})
    return Template(
        "finance/exports.html",
        context={
            "filters": fields,
            "bases": BASIS_LABELS,
            "error": error.message if error else "",
            "ledger_url": f"/finance/exports/ledger.csv?{query}",
            "payments_url": f"/finance/exports/payments.csv?{query}",
            "preview": preview,
            "total": total,
            "money": money,
        },
        status_code=error.status_code if error else 200,
    )


@get(
    "/finance/exports/ledger.csv", guards=FINANCE, include_in_schema=False, opt={"audit": "export.ledger_csv"}
)
async def ledger_csv(request: Request[Any, Any, Any]) -> Response[str]:
    basis, period, _ = _export_query(request)
    return csv_response(await finance_exports.ledger_csv(basis, period), f"ledger-by-{basis}-date.csv")


@get(
    "/finance/exports/payments.csv",
    guards=FINANCE,
    include_in_schema=False,
    opt={"audit": "export.payments_csv"},
)
async def payments_csv(request: Request[Any, Any, Any]) -> Response[str]:
    basis, period, _ = _export_query(request)
    return csv_response(await finance_exports.payments_csv(basis, period), f"payments-by-{basis}-date.csv")


@get("/finance/alerts", guards=FINANCE, include_in_schema=False)
async def alerts_index(request: Request[Any, Any, Any]) -> Template:
    show = request.query_params.get("show", "open")
    chosen: alerts.Show = show if show in ("open", "resolved", "all") else "open"  # type: ignore[assignment]
    return Template(
        "finance/alerts.html",
        context={
            "alerts": await alerts.list_alerts(chosen),
            "show": chosen,
            "resolved": request.query_params.get("resolved", ""),
        },
    )


@post(
    "/finance/alerts/{alert_id:int}/resolve",
    guards=FINANCE,
    include_in_schema=False,
    opt={"audit": "billing_alert.resolve"},
)
async def alerts_resolve(principal: CurrentPrincipal, alert_id: FromPath[int], data: Form) -> Redirect:
    await alerts.resolve_alert(principal, alert_id, data.get("resolution", ""))
    return Redirect(path=f"/finance/alerts?resolved={alert_id}", status_code=303)


CONTROLLERS = [
    finance_index,
    reconciliation_index,
    reconciliation_run,
    reconciliation_report,
    reconciliation_record,
    exports_index,
    ledger_csv,
    payments_csv,
    alerts_index,
    alerts_resolve,
]
