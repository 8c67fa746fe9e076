"""notifications: the outbox, email delivery, calendar invites and feeds."""
