"""The records package's own tables."""

from __future__ import annotations
