"""Check-in at the door and by the room's rotating code."""
