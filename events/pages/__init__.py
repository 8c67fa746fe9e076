"""Server-rendered event pages: the catalogue, an event, my registrations, staff tools, check-in.

Each module exports ``CONTROLLERS`` and is wired automatically. Pages shape
what services return into plain strings for the templates (times already in
the right zone, money already formatted), so templates hold no logic beyond
loops and conditions.
"""
