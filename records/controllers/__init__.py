"""The records JSON API (admins: legal holds, erasure decisions, the audit trail; everyone: their data)."""
