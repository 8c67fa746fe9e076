"""Lines other packages add to a person's account page (a fellows rung, for one).

Accounts cannot import the packages built on it, so they register a function
here (the shell does the wiring) that returns (label, value) pairs for a person.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

ProfileSection = Callable[[int], Awaitable[list[tuple[str, str]]]]
_sections: list[ProfileSection] = []


def register_section(section: ProfileSection) -> None:
    if section not in _sections:
        _sections.append(section)


async def profile_lines(person_id: int) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for section in _sections:
        lines.extend(await section(person_id))
    return lines
