"""The audit trail: one append-only row for every staff, finance and admin action and every export.

It lives in accounts, the lowest domain package, because every package writes to it
(an event rescheduled, a refund, a role revoked) and accounts is the one they all may import.
"""
