"""The messages API: the outbox record for staff, each person's own messages, template catalogue."""
