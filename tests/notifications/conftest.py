"""Notifications' tests get a real SMTP server on loopback (the ``smtp_server`` fixture)."""

from __future__ import annotations

from tests.builders.mail import smtp_server

__all__ = ["smtp_server"]
