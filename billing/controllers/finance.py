"""The finance API: totals, reconciliation, ledger and payment exports, billing alerts.

Finance and admins only (``requires(Role.FINANCE)``; admins hold every
role). Plain handlers with full paths rather than one Controller, so other
finance routes can live in their own modules without two Controllers
claiming the same path.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from accounts.principal import Role
from billing.finance import alerts, record_missing
from billing.finance import exports as finance_exports
from billing.finance import totals as finance_totals
from billing.finance.periods import parse_period
from billing.finance.reconciliation import reconcile
from billing.finance.schemas import (
    AlertOut,
    LedgerPage,
    PaymentPage,
    ReconcileIn,
    RecordMissingIn,
    RecordOutcome,
    ResolveIn,
    RunOut,
    RunSummary,
    TotalsOut,
)
from billing.stripe_client import account_from
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.downloads import csv_response
from grandrounds.web.paging import ExportLimit, Offset

FINANCE = [requires(Role.FINANCE)]
TAGS = ["finance"]
Basis = FromQuery[Literal["payment", "event"]]
From = Annotated[str | None, QueryParameter(name="from", max_length=40)]
To = Annotated[str | None, QueryParameter(name="to", max_length=40)]


@get("/api/v1/finance/totals", guards=FINANCE, tags=TAGS)
async def finance_totals_api(
    by: FromQuery[Literal["event", "program", "tier"]] = "event", start: From = None, end: To = None
) -> TotalsOut:
    """Charges, refunds, fees, disputes and net per group and currency, over [from, to) by payment date."""
    return await finance_totals.totals(by, parse_period(start, end, required=False))


@get("/api/v1/finance/reconciliations", guards=FINANCE, tags=TAGS)
async def reconciliation_runs() -> list[RunSummary]:
    """The latest reconciliation runs, newest period first."""
    return await record_missing.list_runs()


@post(
    "/api/v1/finance/reconciliations",
    guards=FINANCE,
    tags=TAGS,
    status_code=HTTP_200_OK,
    opt={"audit": "reconciliation.run"},
)
async def reconcile_period(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, data: JSONBody[ReconcileIn]
) -> RunOut:
    """Compare Stripe with the ledger over [from, to). Running a period again refreshes its one run."""
    period = parse_period(data.start, data.end)
    assert period is not None
    account = account_from(request.app.state)
    run_id = await reconcile(account, period, principal.person_id)
    return await record_missing.get_run(run_id)


@get("/api/v1/finance/reconciliations/{run_id:int}", guards=FINANCE, tags=TAGS)
async def reconciliation_run(run_id: FromPath[int]) -> RunOut:
    return await record_missing.get_run(run_id)


@post(
    "/api/v1/finance/reconciliations/{run_id:int}/record-missing",
    guards=FINANCE,
    tags=TAGS,
    status_code=HTTP_200_OK,
    opt={"audit": "reconciliation.record_missing"},
)
async def record_missing_findings(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    run_id: FromPath[int],
    data: JSONBody[RecordMissingIn],
) -> RecordOutcome:
    """Import what Stripe has and the ledger lacks (all of the run's, or the findings named), from Stripe."""
    account = account_from(request.app.state)
    return await record_missing.record_missing(account, principal, run_id, data.finding_ids or None)


@get("/api/v1/finance/ledger", guards=FINANCE, tags=TAGS, opt={"audit": "export.ledger_csv"})
async def ledger_export(
    basis: Basis = "payment",
    start: From = None,
    end: To = None,
    limit: ExportLimit = 100,
    offset: Offset = 0,
    format: FromQuery[Literal["json", "csv"]] = "json",
) -> LedgerPage | Response[str]:
    """Ledger entries by payment date or event date; ``format=csv`` exports every match. Each call is
    recorded in the audit trail as an export."""
    period = parse_period(start, end, required=False)
    if format == "csv":
        return csv_response(await finance_exports.ledger_csv(basis, period), f"ledger-by-{basis}-date.csv")
    items, total = await finance_exports.ledger_page(basis, period, limit, offset)
    return LedgerPage(items=items, total=total, limit=limit, offset=offset)


@get("/api/v1/finance/payments", guards=FINANCE, tags=TAGS, opt={"audit": "export.payments_csv"})
async def payments_export(
    basis: Basis = "payment",
    start: From = None,
    end: To = None,
    limit: ExportLimit = 100,
    offset: Offset = 0,
    format: FromQuery[Literal["json", "csv"]] = "json",
) -> PaymentPage | Response[str]:
    """Payments (a charge with its refunds and fees) by payment date or event date; ``format=csv`` too.
    Each call is recorded in the audit trail as an export (payments name who paid)."""
    period = parse_period(start, end, required=False)
    if format == "csv":
        return csv_response(
            await finance_exports.payments_csv(basis, period), f"payments-by-{basis}-date.csv"
        )
    items, total = await finance_exports.payment_page(basis, period, limit, offset)
    return PaymentPage(items=items, total=total, limit=limit, offset=offset)


@get("/api/v1/finance/alerts", guards=FINANCE, tags=TAGS)
async def billing_alerts(show: FromQuery[Literal["open", "resolved", "all"]] = "open") -> list[AlertOut]:
    return await alerts.list_alerts(show)


@post(
    "/api/v1/finance/alerts/{alert_id:int}/resolve",
    guards=FINANCE,
    tags=TAGS,
    status_code=HTTP_200_OK,
    opt={"audit": "billing_alert.resolve"},
)
async def resolve_billing_alert(
    principal: CurrentPrincipal, alert_id: FromPath[int], data: JSONBody[ResolveIn]
) -> AlertOut:
    return await alerts.resolve_alert(principal, alert_id, data.resolution)


CONTROLLERS = [
    finance_totals_api,
    reconciliation_runs,
    reconcile_period,
    reconciliation_run,
    record_missing_findings,
    ledger_export,
    payments_export,
    billing_alerts,
    resolve_billing_alert,
]
