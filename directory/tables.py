"""Tables of the directory package."""

from __future__ import annotations
