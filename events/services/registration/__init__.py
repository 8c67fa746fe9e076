"""A place at an event: registering, its status moves, seats, the roster."""
