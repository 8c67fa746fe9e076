"""``unique_violation()``: the unique index has the last word, as the domain's error or a clash to read."""

from __future__ import annotations

import sqlite3

import pytest

from grandrounds.db import unique_violation
from grandrounds.errors import Conflict


def collision() -> sqlite3.IntegrityError:
    return sqlite3.IntegrityError("UNIQUE constraint failed: person.email")


def test_a_clash_becomes_the_domain_error_with_the_violation_as_its_cause() -> None:
    taken = Conflict("account.email_taken", "taken")
    with pytest.raises(Conflict) as raised, unique_violation(becomes=taken):
        raise collision()
    assert raised.value is taken
    assert isinstance(raised.value.__cause__, sqlite3.IntegrityError)


def test_without_becomes_the_block_ends_and_the_clash_says_so() -> None:
    error = collision()
    with unique_violation() as clash:
        raise error
    assert clash and clash.error is error


def test_a_block_that_runs_through_has_no_clash() -> None:
    with unique_violation(becomes=Conflict("x.y", "never")) as clash:
        pass
    assert not clash and clash.error is None


@pytest.mark.parametrize(
    "other", [sqlite3.IntegrityError("NOT NULL constraint failed: person.email"), ValueError("no")]
)
def test_anything_else_passes_through(other: Exception) -> None:
    with pytest.raises(type(other)) as raised, unique_violation(becomes=Conflict("x.y", "never")):
        raise other
    assert raised.value is other
