"""The rules of events: scheduling and registration."""
