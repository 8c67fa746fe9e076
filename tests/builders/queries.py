"""Count the SQL statements a block of code sends, on SQLite and PostgreSQL alike.

Every piccolo query (select, insert, raw, count) reaches the database through
its engine's ``run_querystring``, so wrapping that one method sees them all,
inside transactions too. Engines use slots, so the wrapper goes on the engine's
class for the duration and counts only calls on the app's own engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from grandrounds.db import engine


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def counting_queries() -> Iterator[QueryLog]:
    db = engine()
    engine_class = type(db)
    original = engine_class.run_querystring
    log = QueryLog()

    async def counted(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        if self is db:
            log.statements.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    engine_class.run_querystring = counted  # type: ignore[method-assign]
    try:
        yield log
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]
