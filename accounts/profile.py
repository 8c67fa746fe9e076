"""Lines other packages add to a person's account page (a fellows rung, for one).

Accounts cannot import the packages built on it, so they register a function
here (the shell does the wiring) that returns (label, value) pairs for a person.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from grandrounds.registry import Registry

ProfileSection = Callable[[int], Awaitable[list[tuple[str, str]]]]
PROFILE_SECTIONS: Registry[ProfileSection] = Registry("account page sections")


def register_section(section: ProfileSection) -> None:
    PROFILE_SECTIONS.add(section)


async def profile_lines(person_id: int) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for section in PROFILE_SECTIONS:
        lines.extend(await section(person_id))
    return lines
