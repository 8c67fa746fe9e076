"""The records JSON API: legal holds (admins)."""
