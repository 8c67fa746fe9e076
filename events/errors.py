"""Errors of the events package, each with its stable code."""

from __future__ import annotations

from typing import Any

from grandrounds.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests


def event_not_found() -> NotFound:
    return NotFound("event.not_found", "No such event.")


def registration_not_found() -> NotFound:
    return NotFound("registration.not_found", "No such registration.")


def times_invalid() -> InvalidInput:
    return InvalidInput("event.times_invalid", "The event must end after it starts.", {"field": "ends_at"})


def time_zone_unknown() -> InvalidInput:
    return InvalidInput(
        "event.time_zone_unknown",
        "Unknown time zone; use an IANA name such as America/New_York.",
        {"field": "time_zone"},
    )


def kind_unknown() -> InvalidInput:
    return InvalidInput(
        "event.kind_unknown", "Kind must be conference, webinar, workshop or consultation.", {"field": "kind"}
    )


def not_open() -> Conflict:
    return Conflict(
        "event.not_open", "This event is not open for registration (unpublished, cancelled or over)."
    )


def members_only() -> Forbidden:
    return Forbidden("event.members_only", "This event is for members; join to register.")


def _registration_duplicate(message: str, details: dict[str, Any] | None = None) -> Conflict:
    return Conflict("registration.duplicate", message, details)


def duplicate() -> Conflict:
    return _registration_duplicate("You are already registered (or in line) for this event.")


def not_live() -> Conflict:
    return Conflict("registration.not_live", "This registration is already cancelled or closed.")


def no_open_offer() -> Conflict:
    return Conflict("offer.not_open", "There is no open offer on this registration (it may have expired).")


def not_yours() -> Forbidden:
    return Forbidden(
        "registration.forbidden", "Only the registrant or event staff may change this registration."
    )


def session_not_found() -> NotFound:
    return NotFound("session.not_found", "No such session.")


def not_your_program() -> Forbidden:
    return Forbidden(
        "event.not_your_program", "Only staff of this event's program (or an admin) may do that."
    )


def program_unknown() -> InvalidInput:
    return InvalidInput("event.program_unknown", "No such program.", {"field": "program_id"})


# Check-in


def checkin_not_confirmed(status: str) -> Conflict:
    return Conflict(
        "checkin.not_confirmed",
        "Only confirmed registrations can be checked in; this one is not confirmed.",
        {"status": status},
    )


def checkin_session_cancelled() -> Conflict:
    return Conflict("checkin.session_cancelled", "This session (or its event) is cancelled.")


def checkin_code_unknown() -> NotFound:
    return NotFound("checkin.code_unknown", "No ticket for this event has that code.")


def checkin_wrong_session() -> Conflict:
    return Conflict("checkin.wrong_session", "This ticket is for a different session of the event.")


def checkin_target_required() -> InvalidInput:
    return InvalidInput(
        "checkin.target_required",
        "Give exactly one of registration_id or ticket_code.",
        {"field": "ticket_code"},
    )


def checkin_not_found() -> NotFound:
    return NotFound("checkin.not_found", "This registration is not checked in to this session.")


def checkin_own_ticket() -> Forbidden:
    return Forbidden(
        "checkin.own_ticket",
        "You cannot check yourself in here; enter the session's code on the self check-in page.",
    )


def checkin_code_invalid() -> InvalidInput:
    return InvalidInput(
        "checkin.code_invalid",
        "That code is not right. Enter the code shown in the room now (it changes every minute).",
        {"field": "code"},
    )


def checkin_session_closed() -> Conflict:
    return Conflict(
        "checkin.session_closed",
        "Self check-in is open from 15 minutes before the session starts until it ends.",
    )


def checkin_not_registered() -> Forbidden:
    return Forbidden("checkin.not_registered", "You are not registered for this session.")


def checkin_too_many_attempts(retry_after: int) -> TooManyRequests:
    return TooManyRequests(
        "checkin.too_many_attempts",
        "Too many wrong codes. Wait a few minutes, or ask staff at the door to check you in.",
        {"retry_after": retry_after},
    )


# Schedule: editing events, tracks, sessions and speakers


def event_cancelled() -> Conflict:
    return Conflict("event.cancelled", "This event is cancelled; it can no longer be changed.")


def capacity_below_registrations(taken: int) -> Conflict:
    return Conflict(
        "event.capacity_below_registrations",
        f"{taken} seats are already taken; capacity cannot go below that.",
        {"field": "capacity", "seats_taken": taken},
    )


def capacity_invalid() -> InvalidInput:
    return InvalidInput(
        "event.capacity_invalid", "Capacity must be a whole number from 1 to 100000.", {"field": "capacity"}
    )


def capacity_below_session(session_capacity: int) -> Conflict:
    return Conflict(
        "event.capacity_below_session",
        f"A session of this event seats {session_capacity}; the event cannot seat fewer.",
        {"field": "capacity"},
    )


def sessions_outside_span() -> Conflict:
    return Conflict(
        "event.sessions_outside_span",
        "Some sessions would fall outside the new dates; move or cancel them first.",
        {"field": "starts_at"},
    )


def times_naive(field: str = "starts_at") -> InvalidInput:
    return InvalidInput(
        "event.times_naive", "Give times with an offset, e.g. 2027-03-05T14:00:00Z.", {"field": field}
    )


def join_url_invalid(field: str = "join_url") -> InvalidInput:
    return InvalidInput(
        "event.join_url_invalid",
        "The join link must be a web address starting with https:// or http://.",
        {"field": field},
    )


def reminder_hours_invalid() -> InvalidInput:
    return InvalidInput(
        "event.reminder_hours_invalid",
        "Reminder hours are whole hours from 1 to 336 separated by commas, e.g. 24,1 (or empty for none).",
        {"field": "reminder_hours"},
    )


def cancel_reason_required() -> InvalidInput:
    return InvalidInput(
        "event.cancel_reason_required", "Say why it is cancelled; registrants are told.", {"field": "reason"}
    )


def track_not_found() -> NotFound:
    return NotFound("track.not_found", "No such track.")


def track_in_use() -> Conflict:
    return Conflict("track.in_use", "Scheduled sessions use this track; move or cancel them first.")


def session_times_invalid() -> InvalidInput:
    return InvalidInput(
        "session.times_invalid", "The session must end after it starts.", {"field": "ends_at"}
    )


def session_outside_event() -> InvalidInput:
    return InvalidInput(
        "session.outside_event",
        "The session must take place within the event's dates.",
        {"field": "starts_at"},
    )


def session_track_invalid() -> InvalidInput:
    return InvalidInput("session.track_invalid", "No such track in this event.", {"field": "track_id"})


def session_capacity_invalid(event_capacity: int) -> InvalidInput:
    return InvalidInput(
        "session.capacity_invalid",
        f"A session seats from 1 to {event_capacity} people (the event's capacity).",
        {"field": "capacity"},
    )


def session_capacity_below_registrations(taken: int) -> Conflict:
    return Conflict(
        "session.capacity_below_registrations",
        f"{taken} seats of this session are already taken; capacity cannot go below that.",
        {"field": "capacity", "seats_taken": taken},
    )


def _session_cme_invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput("session.cme_invalid", message, {"field": field})


def session_cme_invalid(most: int) -> InvalidInput:
    return _session_cme_invalid(
        f"Designated CME credit is counted in quarter hours: from 0 to {most} for this session's length.",
        "cme_quarters",
    )


def session_cme_too_long(most: str) -> InvalidInput:
    """The staff form's words (credits as typed there): more credit than the session's length."""
    return _session_cme_invalid(
        f"A session this long carries at most {most} CME credits (one per hour).", "cme_credits"
    )


def session_cme_not_quarters(field: str) -> InvalidInput:
    return _session_cme_invalid(
        "CME credits come in quarter hours: 0, 0.25, 0.5, 0.75, 1, 1.25 and so on.", field
    )


def session_join_url_invalid() -> InvalidInput:
    return InvalidInput(
        "session.join_url_invalid",
        "The join link must be a web address starting with https:// or http://.",
        {"field": "join_url"},
    )


def session_cancelled() -> Conflict:
    return Conflict("session.cancelled", "This session is cancelled; it can no longer be changed.")


def speaker_not_found() -> NotFound:
    return NotFound("speaker.not_found", "No such speaker invitation.")


def speaker_duplicate() -> Conflict:
    return Conflict("speaker.duplicate", "This person is already a speaker of this session.")


def speaker_email_invalid() -> InvalidInput:
    return InvalidInput(
        "speaker.email_invalid",
        "That does not look like an email address (expected name@example.org).",
        {"field": "email"},
    )


def speaker_name_blank() -> InvalidInput:
    return InvalidInput("speaker.name_blank", "Give the speaker's name.", {"field": "name"})


def speaker_withdrawn() -> Conflict:
    return Conflict("speaker.withdrawn", "This speaking invitation was withdrawn.")


def speaker_invitation_unknown() -> NotFound:
    return NotFound(
        "speaker.invitation_unknown", "This invitation link is not valid. Ask the organisers for a new one."
    )


def speaker_answer_invalid() -> InvalidInput:
    return InvalidInput("speaker.answer_invalid", "Answer accept or decline.", {"field": "answer"})


# Ticket types


def ticket_not_found() -> NotFound:
    return NotFound("ticket.not_found", "No such ticket type.")


def ticket_currency_unknown() -> InvalidInput:
    return InvalidInput(
        "ticket.currency_unknown",
        "Unknown currency; use an ISO 4217 code in capitals, such as USD, EUR or JPY.",
        {"field": "currency"},
    )


def ticket_price_invalid(field: str) -> InvalidInput:
    return InvalidInput(
        "ticket.price_invalid",
        "Prices are whole numbers of the currency's smallest unit (19.99 USD is 1999), zero or more.",
        {"field": field},
    )


def _ticket_early_bird_incomplete(message: str) -> InvalidInput:
    return InvalidInput("ticket.early_bird_incomplete", message, {"field": "early_bird_until"})


def ticket_early_bird_incomplete() -> InvalidInput:
    return _ticket_early_bird_incomplete("Give early_bird_until, the moment early-bird prices end.")


def ticket_early_bird_end_missing() -> InvalidInput:
    """The staff form's words for the same rule."""
    return _ticket_early_bird_incomplete("Give the date and time early-bird prices end.")


def ticket_early_bird_after_start() -> InvalidInput:
    return InvalidInput(
        "ticket.early_bird_after_start",
        "Early-bird prices must end no later than the event starts.",
        {"field": "early_bird_until"},
    )


def ticket_early_price_above_regular(field: str) -> InvalidInput:
    return InvalidInput(
        "ticket.early_price_above_regular",
        "An early-bird price cannot be higher than the regular price of the same tier.",
        {"field": field},
    )


def ticket_time_naive(field: str) -> InvalidInput:
    return InvalidInput(
        "ticket.time_naive", "Give times with an offset, e.g. 2027-03-05T14:00:00Z.", {"field": field}
    )


def ticket_sales_window_invalid() -> InvalidInput:
    return InvalidInput(
        "ticket.sales_window_invalid", "Sales must end after they start.", {"field": "sales_end"}
    )


def ticket_quantity_invalid() -> InvalidInput:
    return InvalidInput(
        "ticket.quantity_invalid",
        "Quantity must be 1 or more (or left out for no limit).",
        {"field": "quantity"},
    )


def ticket_quantity_below_taken(taken: int) -> Conflict:
    return Conflict(
        "ticket.quantity_below_taken",
        f"{taken} places of this type are already taken; the quantity cannot be lower.",
        {"field": "quantity", "taken": taken},
    )


def ticket_not_on_sale() -> Conflict:
    return Conflict("ticket.not_on_sale", "This ticket type is not on sale now.")


def ticket_members_only(person_ids: list[int] | None = None) -> Forbidden:
    return Forbidden(
        "ticket.members_only",
        "This ticket type is for members only.",
        {"person_ids": person_ids} if person_ids else {},
    )


def ticket_sold_out() -> Conflict:
    return Conflict("ticket.sold_out", "This ticket type is sold out.")


# Registration choices and bookings for colleagues


def ticket_required() -> InvalidInput:
    return InvalidInput(
        "registration.ticket_required", "Choose a ticket type for this event.", {"field": "ticket_type_id"}
    )


def ticket_unknown() -> InvalidInput:
    return InvalidInput(
        "registration.ticket_unknown",
        "That ticket type is not on offer for this event.",
        {"field": "ticket_type_id"},
    )


def session_not_bookable() -> InvalidInput:
    return InvalidInput(
        "registration.session_not_bookable",
        "This session has no places of its own; register for the event instead.",
        {"field": "session_id"},
    )


def session_closed() -> Conflict:
    return Conflict("registration.session_closed", "This session is cancelled or over.")


def party_invalid() -> InvalidInput:
    return InvalidInput(
        "registration.party_invalid",
        "List between 1 and 50 different people.",
        {"field": "person_ids"},
    )


def party_too_large(capacity: int) -> Conflict:
    return Conflict(
        "registration.party_too_large",
        f"The group is larger than the {capacity} places there are.",
        {"capacity": capacity},
    )


def person_unknown(person_ids: list[int]) -> InvalidInput:
    return InvalidInput(
        "registration.person_unknown", "Some of these people have no account.", {"person_ids": person_ids}
    )


def on_behalf_forbidden() -> Forbidden:
    return Forbidden(
        "registration.on_behalf_forbidden",
        "Only an organization's leader (for its members) or the event's staff may register others.",
    )


def not_colleagues(person_ids: list[int]) -> Forbidden:
    return Forbidden(
        "registration.not_colleague",
        "Some of these people are not members of an organization you lead.",
        {"person_ids": person_ids},
    )


def already_registered(person_ids: list[int]) -> Conflict:
    return _registration_duplicate(
        "Some of these people are already registered (or in line).", {"person_ids": person_ids}
    )


def hold_lapsed() -> Conflict:
    return Conflict(
        "registration.hold_lapsed",
        "The seat held for this checkout has passed to someone else.",
    )


def payments_not_configured(
    message: str = "Online payment is not set up on this site yet, so paid places cannot be booked. "
    "Free tickets still work; for a paid place, please contact the organisers.",
) -> Conflict:
    """Billing's code, defined here because events refuses first (and imports no billing); billing
    gives its own words through this function, so a client meets one code for one cause."""
    return Conflict("billing.not_configured", message)


def ticket_name_blank() -> InvalidInput:
    return InvalidInput("ticket.name_blank", "Give the ticket type a name.", {"field": "name"})


def title_blank() -> InvalidInput:
    return InvalidInput("event.title_blank", "Give a title.", {"field": "title"})


def track_name_blank() -> InvalidInput:
    return InvalidInput("track.name_blank", "Give the track a name.", {"field": "name"})


def session_title_blank() -> InvalidInput:
    return InvalidInput("session.title_blank", "Give the session a title.", {"field": "title"})


# The catalogue's search
def catalogue_date_invalid(field: str) -> InvalidInput:
    return InvalidInput(
        "catalogue.date_invalid", "Give dates as YYYY-MM-DD, e.g. 2027-03-14.", {"field": field}
    )


def catalogue_range_invalid() -> InvalidInput:
    return InvalidInput(
        "catalogue.range_invalid", "The end of the date range is before its start.", {"field": "to"}
    )


def catalogue_query_too_long(field: str, limit: int) -> InvalidInput:
    return InvalidInput(
        "catalogue.query_too_long", f"Search text is limited to {limit} characters.", {"field": field}
    )


# The roster
def roster_status_unknown(statuses: tuple[str, ...]) -> InvalidInput:
    return InvalidInput(
        "roster.status_unknown",
        f"Status must be one of: {', '.join(statuses)}.",
        {"field": "status", "allowed": list(statuses)},
    )


def roster_query_too_long() -> InvalidInput:
    return InvalidInput("roster.query_too_long", "Search text is limited to 200 characters.", {"field": "q"})


# Staff and registration forms (pages): the field to mark and what to say
def event_form_invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("event.form_invalid", message, {"field": field})


def registration_form_invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("registration.form_invalid", message, {"field": field})


def time_nonexistent(field: str) -> InvalidInput:
    return InvalidInput(
        "event.time_nonexistent",
        "That clock time does not exist in this time zone (the clocks skip it); choose another.",
        {"field": field},
    )


def session_cancel_reason_required() -> InvalidInput:
    return InvalidInput(
        "session.cancel_reason_required",
        "Say why the session is cancelled; its speakers and registrants are told.",
        {"field": "reason"},
    )


# Ticket prices as typed on the staff form
def ticket_amount_missing(label: str, field: str) -> InvalidInput:
    return InvalidInput("ticket.amount_missing", f"Give the {label} (0 if free).", {"field": field})


def ticket_amount_negative(label: str, field: str) -> InvalidInput:
    return InvalidInput("ticket.amount_negative", f"The {label} cannot be negative.", {"field": field})


def ticket_amount_invalid(label: str, field: str, example: str) -> InvalidInput:
    return InvalidInput(
        "ticket.amount_invalid",
        f"Give the {label} as a plain number such as {example}, without a currency sign or commas.",
        {"field": field},
    )


def ticket_amount_too_precise(label: str, field: str, typed: str, currency: str, places: str) -> InvalidInput:
    return InvalidInput(
        "ticket.amount_too_precise",
        f"{currency} amounts have {places}: the {label} {typed} cannot be charged exactly.",
        {"field": field},
    )


def ticket_amount_too_high(label: str, field: str, most: str) -> InvalidInput:
    return InvalidInput(
        "ticket.amount_too_high",
        f"The {label} is above the most a ticket may cost ({most}).",
        {"field": field},
    )
