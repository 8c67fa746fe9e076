"""Calendar invites queued as references and built when they are delivered.

The change that causes an invite (a registration, a reschedule) queues only a
reference: which copy (a session's or a whole event's), whose, REQUEST or
CANCEL, and whether the join link may be shown as things stood then. Building
the calendar object is left to delivery, outside the change's transaction, so
a registration rush does not wait on it, and an invite always carries the
time, place and SEQUENCE the rows hold when it goes out.

The rows belong to other packages, so they register a resolver per kind (the
shell wires them, as it wires feed sources); this package never imports them.
A resolver reads the current rows and says whether the person may still see
the join link; what the reference fixed (method, UID, attendee, answer) is
not the resolver's to change, and the link is written only when both the
reference and the resolver allow it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, get_args

from grandrounds.registry import KeyedRegistry
from notifications.calendar import Invitation, Method, PartStat, build_invite
from notifications.outbox import enqueue_email
from notifications.tables import InviteCopy

KINDS = ("session", "event", "booking")  # booking: an expert's copy of a consultation booking
# What the resolver supplies at delivery; a queued row never holds these.
CURRENT_KEYS = frozenset({"when", "when_yours", "place", "join_url", "ics", "ics_method"})


class InviteUnavailable(LookupError):
    """What the invite was about is gone (or was cancelled since): the message cannot be sent."""


class NoResolver(RuntimeError):
    """No resolver is registered for the kind: a wiring fault of this process, worth a retry later."""


@dataclass(frozen=True, slots=True)
class InviteRef:
    """Which copy, whose, and what to do with it; stored under ``context["invite"]``."""

    kind: str  # "session" or "event"
    id: int
    uid: str
    email: str
    method: Method
    partstat: PartStat = "NEEDS-ACTION"
    person_id: int | None = None
    speaker_id: int | None = None
    # Decided when queued, from the person's state then; checked again at delivery.
    reveal_join_url: bool = False
    # The copy's SEQUENCE, given when queued (see copy_sequence); None on rows queued before it was kept.
    sequence: int | None = None

    def as_context(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_context(cls, data: Any) -> InviteRef:
        """The reference read back from a row; ValueError for anything malformed."""
        if not isinstance(data, dict):
            raise ValueError("invite reference is not an object")
        names = {f.name for f in dataclasses.fields(cls)}
        try:
            ref = cls(**{k: v for k, v in data.items() if k in names})
        except TypeError as exc:
            raise ValueError(f"invite reference incomplete: {exc}") from None
        if ref.kind not in KINDS or not isinstance(ref.id, int) or not ref.uid or not ref.email:
            raise ValueError(f"invite reference malformed: {data!r}")
        if ref.method not in get_args(Method) or ref.partstat not in get_args(PartStat):
            raise ValueError(f"invite reference malformed: {data!r}")
        if ref.sequence is not None and not isinstance(ref.sequence, int):
            raise ValueError(f"invite reference malformed: {data!r}")
        return ref


@dataclass(frozen=True, slots=True)
class ResolvedInvite:
    """The copy as the rows say now.

    ``invitation.reveal_join_url`` is the resolver's answer to "may this
    person still see the link"; ``context`` holds the template values that
    must be current (when, when_yours, place, name, titles).
    """

    invitation: Invitation
    context: dict[str, Any]


Resolver = Callable[[InviteRef], Awaitable[ResolvedInvite]]
INVITE_RESOLVERS: KeyedRegistry[Resolver] = KeyedRegistry("invite resolvers", KINDS)


def register_resolver(kind: str, resolver: Resolver) -> None:
    INVITE_RESOLVERS.add(kind, resolver)


_RAISE = (
    "UPDATE notifications_invite_copy "
    "SET sequence = CASE WHEN sequence + 1 > {} THEN sequence + 1 ELSE {} END "
    "WHERE uid = {} RETURNING sequence"
)


async def copy_sequence(uid: str, floor: int) -> int:
    """The SEQUENCE for the next message about one person's copy; call inside the write transaction.

    One more than the copy's last message, and never lower than ``floor`` (the
    session's or event's own SEQUENCE), so a per-person CANCEL or a second
    REQUEST after re-registering outranks everything sent for the copy before.
    The first message of a copy carries ``floor``. The row is created first
    and raised by one UPDATE, so two writers queue on its lock instead of
    both reading the same value.
    """
    await InviteCopy.insert(InviteCopy(uid=uid, sequence=-1)).on_conflict(action="DO NOTHING")
    rows = await InviteCopy.raw(_RAISE, floor, floor, uid)
    return int(rows[0]["sequence"])


async def copy_sequences(uids: list[str]) -> dict[str, int]:
    """The last SEQUENCE sent for each copy that has had a message (a feed shows the same one)."""
    if not uids:
        return {}
    rows = await InviteCopy.select(InviteCopy.uid, InviteCopy.sequence).where(InviteCopy.uid.is_in(uids))
    return {r["uid"]: r["sequence"] for r in rows if r["sequence"] >= 0}


async def enqueue_invite(
    template: str,
    ref: InviteRef,
    context: dict[str, Any],
    *,
    floor: int,
    secret_keys: tuple[str, ...] = (),
    program_id: int | None = None,
) -> bool:
    """Queue an invite inside the caller's transaction: the reference plus what the change says
    (titles, reason, an answer link); time, place, link and calendar come at delivery.

    ``floor`` is the SEQUENCE of what the copy shows (the session's or the
    event's); the copy's own SEQUENCE is allocated here, with the change.
    """
    stale = CURRENT_KEYS & context.keys()
    if stale:
        raise ValueError(f"resolved at delivery, not queued: {sorted(stale)}")
    ref = dataclasses.replace(ref, sequence=await copy_sequence(ref.uid, floor))
    values = {**context, "invite": ref.as_context()}
    return await enqueue_email(
        template, ref.email, values, person_id=ref.person_id, program_id=program_id, secret_keys=secret_keys
    )


async def resolve(stored: dict[str, Any]) -> dict[str, Any]:
    """A queued invite's whole context at delivery: what the change said (titles, reason, an
    answer link) over what the rows say now, with time, place, link and calendar always current."""
    ref = InviteRef.from_context(stored.get("invite"))
    resolver = INVITE_RESOLVERS.get(ref.kind)
    if resolver is None:
        raise NoResolver(f"no invite resolver registered for {ref.kind!r}")
    resolved = await resolver(ref)
    reveal = (
        ref.reveal_join_url
        and ref.method == "REQUEST"
        and resolved.invitation.reveal_join_url
        and bool(resolved.invitation.join_url)
    )
    invitation = dataclasses.replace(
        resolved.invitation,
        sequence=resolved.invitation.sequence if ref.sequence is None else ref.sequence,
        method=ref.method,
        uid=ref.uid,
        attendee_email=ref.email,
        partstat=ref.partstat,
        reveal_join_url=reveal,
        join_url=resolved.invitation.join_url if reveal else "",
    )
    current = {key: resolved.context.get(key, "") for key in CURRENT_KEYS}
    current.update(
        join_url=invitation.join_url,
        ics=build_invite(invitation),
        ics_method=ref.method,
    )
    said = {key: value for key, value in stored.items() if key not in CURRENT_KEYS}
    return {**resolved.context, "partstat": ref.partstat, **said, **current}
