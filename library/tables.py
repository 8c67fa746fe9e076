"""Tables of the library package."""

from __future__ import annotations
