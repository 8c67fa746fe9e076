"""What finance sees about one registration's money: the payment, its ledger, refunds and disputes.

Read-only, from the ledger (which mirrors Stripe). The refund form carries
``expected_refunded`` from here: how much the ledger says has been refunded
when the page was drawn, which names the refund request (see refunds.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from billing import errors
from billing.payments.disputes import DisputeLine, disputes_list
from billing.payments.refunds import OPEN_DISPUTE, RefundRequestLine, refund_requests
from billing.tables import LedgerEntry
from events.tables import Registration, RegistrationChange
from programs.services.certified import certificate_for_event


@dataclass(slots=True)
class PaymentView:
    registration: dict[str, Any]
    ledger: list[dict[str, Any]]
    charge: dict[str, Any] | None
    refunded: int  # of the charge, minor units
    refunds: list[RefundRequestLine]
    disputes: list[DisputeLine]
    history: list[dict[str, Any]]
    certificate: dict[str, Any] | None
    balance: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return 0 if self.charge is None else self.charge["amount"] - self.refunded

    @property
    def refundable(self) -> bool:
        return self.remaining > 0 and not self.problems


async def payment_view(registration_id: int) -> PaymentView:
    reg = (
        await Registration.select(
            *Registration.all_columns(),
            Registration.person.name.as_alias("person_name"),
            Registration.person.email.as_alias("person_email"),
            Registration.event.title.as_alias("event_title"),
        )
        .where(Registration.id == registration_id)
        .first()
    )
    if reg is None:
        raise errors.registration_not_found()
    ledger = await (
        LedgerEntry.select()
        .where(LedgerEntry.registration == registration_id)
        .order_by(LedgerEntry.occurred_at)
        .order_by(LedgerEntry.id)
    )
    charges = [e for e in ledger if e["kind"] == "charge"]
    charge = charges[-1] if charges else None
    refunded = (
        -sum(
            e["amount"]
            for e in ledger
            if e["kind"] == "refund" and e["stripe_charge_id"] == charge["stripe_id"]
        )
        if charge
        else 0
    )
    history = await (
        RegistrationChange.select(
            *RegistrationChange.all_columns(), RegistrationChange.by_person.name.as_alias("by_name")
        )
        .where(RegistrationChange.registration == registration_id)
        .order_by(RegistrationChange.id)
    )
    disputes = await disputes_list(registration_id)
    certificate = await certificate_for_event(reg["event"], reg["person"])
    view = PaymentView(
        registration=reg,
        ledger=ledger,
        charge=charge,
        refunded=refunded,
        refunds=await refund_requests(registration_id),
        disputes=disputes,
        history=history,
        certificate=certificate,
        balance=sum(e["amount"] for e in ledger),
    )
    if certificate is not None:
        view.problems.append(
            f"Completion certificate {certificate['code']} has been issued for this enrollment: "
            "the fee is no longer refundable."
        )
    if any(
        d.status in OPEN_DISPUTE for d in disputes if charge and d.stripe_charge_id == charge["stripe_id"]
    ):
        view.problems.append("The payment is disputed; Stripe settles it through the dispute, not a refund.")
    return view
