"""Sending a new organization or a correction: checked in full, then queued for moderation.

Anyone may send, signed in or not; someone not signed in leaves a contact
email so the moderators' decision can reach them. Every check runs before
anything is written, so a refused submission stores nothing.

Anti-abuse: a sender not signed in may send at most ``PER_IP_PER_HOUR``
submissions from one address and ``PER_EMAIL_PER_HOUR`` with one email; a
signed-in person at most ``PER_PERSON_PER_HOUR``; and whoever sends, at most
``PER_ADDRESS_PER_HOUR`` leave one client address (several accounts made from
one address do not multiply the person limit). The counts come from the
submissions table itself (shared by every process), and the address is kept
only as a keyed hash. Two racing requests on PostgreSQL may each see one
slot left; the limit is a brake on floods, not an exact quota.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

import msgspec

from accounts.principal import Principal
from accounts.services.people import normalize_email
from directory import errors
from directory.proposals import Proposal, plain_text, read_proposal
from directory.review_status import ReviewStatus
from directory.schemas import SubmissionReceipt
from directory.services.duplicates import check_duplicates
from directory.services.listings import current_proposal
from directory.tables import Submission
from grandrounds.db import now, write_transaction
from grandrounds.errors import InvalidInput
from grandrounds.settings import get_settings

PER_IP_PER_HOUR = 5
PER_EMAIL_PER_HOUR = 3
PER_PERSON_PER_HOUR = 20
PER_ADDRESS_PER_HOUR = 30


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sends: a signed-in person, or an anonymous visitor with a contact email."""

    principal: Principal | None
    contact_email: str = ""
    contact_name: str = ""
    client_ip: str = ""
    note: str = ""


def ip_hash(address: str) -> str:
    """A keyed hash of the client address: enough to count, useless to anyone reading the table."""
    if not address:
        return ""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"directory-ip:{address}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class _Checked:
    email: str
    name: str
    note: str
    person_id: int | None
    ip_hash: str


def _check_sender(sender: Sender) -> _Checked:
    note = plain_text(sender.note, "note", multiline=True)
    if sender.principal is not None:
        principal = sender.principal
        return _Checked(principal.email, principal.name, note, principal.person_id, ip_hash(sender.client_ip))
    name = plain_text(sender.contact_name, "contact_name")
    raw_email = sender.contact_email.strip()
    if len(raw_email) > 254:
        raise errors.text_too_long("contact_email", "Your email", 254)
    if not raw_email:
        raise errors.field_required("contact_email", "Your email")
    try:
        email = normalize_email(raw_email)
    except InvalidInput:
        raise errors.email_invalid() from None
    return _Checked(email, name, note, None, ip_hash(sender.client_ip))


async def _check_rate(checked: _Checked) -> None:
    since = now() - timedelta(hours=1)
    recent = Submission.created_at >= since
    if checked.ip_hash and (
        await Submission.count().where(recent, Submission.ip_hash == checked.ip_hash) >= PER_ADDRESS_PER_HOUR
    ):
        raise errors.too_many_submissions()
    if checked.person_id is not None:
        if await Submission.count().where(recent, Submission.person == checked.person_id) >= (
            PER_PERSON_PER_HOUR
        ):
            raise errors.too_many_submissions()
        return
    anonymous_here = (Submission.ip_hash == checked.ip_hash) & Submission.person.is_null()
    if checked.ip_hash and await Submission.count().where(recent, anonymous_here) >= PER_IP_PER_HOUR:
        raise errors.too_many_submissions()
    if (
        await Submission.count().where(recent, Submission.submitter_email == checked.email)
        >= PER_EMAIL_PER_HOUR
    ):
        raise errors.too_many_submissions()


async def _queue(
    kind: str, proposal: Proposal, checked: _Checked, listing_id: int | None, by_contact: bool
) -> SubmissionReceipt:
    async with write_transaction():
        await _check_rate(checked)
        row = (
            await Submission.insert(
                Submission(
                    kind=kind,
                    listing=listing_id,
                    status=ReviewStatus.PENDING,
                    proposal=msgspec.to_builtins(proposal),
                    note=checked.note,
                    submitter_name=checked.name,
                    submitter_email=checked.email,
                    person=checked.person_id,
                    by_contact=by_contact,
                    ip_hash=checked.ip_hash,
                )
            ).returning(Submission.id)
        )[0]
    return SubmissionReceipt(id=row["id"], kind=kind, status=ReviewStatus.PENDING)


async def submit_new(data: dict[str, object], sender: Sender) -> SubmissionReceipt:
    """Propose an organization not yet listed."""
    proposal = read_proposal(data)
    checked = _check_sender(sender)
    await check_duplicates(proposal)
    return await _queue("new", proposal, checked, None, by_contact=False)


async def submit_correction(listing_id: int, data: dict[str, object], sender: Sender) -> SubmissionReceipt:
    """Propose a new version of a listing (the whole listing as it should read).

    The listing's verified contact uses the same route: their edit is marked
    as theirs for the moderators, and it still waits for approval.
    """
    current, contact = await current_proposal(listing_id)
    proposal = read_proposal(data)
    checked = _check_sender(sender)
    if proposal == current:
        raise errors.no_change()
    await check_duplicates(proposal, listing_id)
    by_contact = contact is not None and checked.person_id == contact
    return await _queue("correction", proposal, checked, listing_id, by_contact)
