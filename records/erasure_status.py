"""The states of an erasure request: asked, then carried out or declined by an admin."""

from __future__ import annotations

from enum import StrEnum


class ErasureStatus(StrEnum):
    PENDING = "pending"
    DECLINED = "declined"
    CARRIED_OUT = "carried_out"
