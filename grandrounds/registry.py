"""Registries: how a lower package hears from the packages built on it without importing them.

A package that needs answers only a higher one knows (accounts asks billing
who is a member, notifications asks events what an invite says) keeps a
registry here and the composition (``grandrounds.server.wiring.wire_all``)
fills every registry in one place, for the app and the worker alike.

Registering is idempotent: tests build many apps in one process and each
wires again, so adding what is already there changes nothing. A keyed
registry refuses a *different* entry for a key already taken, since two
answers to one question would be a wiring mistake, not a second app.
Every registry is listed in :func:`every_registry` so a test can compare what
two processes wired.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

_every: list[Registry[object] | KeyedRegistry[object]] = []


class Registry(Generic[T]):
    """An ordered set of plugged-in functions, asked in the order they were registered."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: list[T] = []
        _every.append(self)  # type: ignore[arg-type]

    def add(self, item: T) -> None:
        """Plug ``item`` in; adding it again is a no-op."""
        if item not in self._items:
            self._items.append(item)

    def __iter__(self) -> Iterator[T]:
        return iter(tuple(self._items))

    def contents(self) -> tuple[T, ...]:
        return tuple(self._items)

    def clear(self) -> None:
        self._items.clear()

    @contextmanager
    def only(self, *items: T) -> Iterator[None]:
        """Hold exactly ``items`` inside the block, then what was there before (for tests)."""
        saved = self._items
        self._items = list(items)
        try:
            yield
        finally:
            self._items = saved


class KeyedRegistry(Generic[T]):
    """One plugged-in function per key (the kind of thing it answers for)."""

    def __init__(self, name: str, keys: tuple[str, ...]) -> None:
        self.name = name
        self.keys = keys
        self._items: dict[str, T] = {}
        _every.append(self)  # type: ignore[arg-type]

    def add(self, key: str, item: T) -> None:
        """Plug ``item`` in for ``key``; the same item again is a no-op, another one is refused."""
        if key not in self.keys:
            raise ValueError(f"{self.name}: unknown key {key!r}")
        standing = self._items.get(key)
        if standing is not None and standing is not item:
            raise ValueError(f"{self.name}: {key!r} is already answered by {standing!r}")
        self._items[key] = item

    def get(self, key: str) -> T | None:
        return self._items.get(key)

    def contents(self) -> tuple[tuple[str, T], ...]:
        return tuple(sorted(self._items.items()))

    def clear(self) -> None:
        self._items.clear()


def every_registry() -> tuple[Registry[object] | KeyedRegistry[object], ...]:
    """Every registry made so far (those of imported modules)."""
    return tuple(_every)


@contextmanager
def set_aside() -> Iterator[None]:
    """Empty every registry inside the block and give back what each held after it (for tests that
    wire from nothing while the rest of the run keeps its wiring)."""
    saved = [(registry, registry._items) for registry in _every]
    for registry, items in saved:
        registry._items = type(items)()
    try:
        yield
    finally:
        for registry, items in saved:
            registry._items = items
