"""Reading environment variables strictly, for grandrounds.settings.

A process that starts with a setting it misread does damage quietly (mail to
the wrong port, links to the wrong host, a key that differs per machine), so
every value is checked when it is read and every problem is kept: the process
then refuses to start with one message naming each variable, what it holds and
what is allowed, instead of a traceback from deep inside a library later.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from urllib.parse import urlsplit

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """A setting the process must not start with; the message names the variable and what is allowed.

    ``problems`` holds each refusal on its own; the message joins them on one
    line, so a command can print it without a traceback.
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


class Reader:
    """Reads variables from ``environ`` and collects what is wrong with them instead of raising at once."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ
        self.problems: list[str] = []

    def refuse(self, problem: str) -> None:
        self.problems.append(problem)

    def raw(self, name: str) -> str | None:
        """The value with surrounding blanks removed; None when unset or empty (empty means default)."""
        value = self.environ.get(name)
        if value is None or not value.strip():
            return None
        return value.strip()

    def is_set(self, name: str) -> bool:
        return self.raw(name) is not None

    def secret(self, name: str) -> str:
        """A password or key exactly as given (blanks may belong to it); '' when unset or blank."""
        value = self.environ.get(name, "")
        return value if value.strip() else ""

    def text(self, name: str, default: str) -> str:
        value = self.raw(name)
        return default if value is None else value

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        self.refuse(f"{name}={value!r} is neither on (1, true, yes, on) nor off (0, false, no, off).")
        return default

    def integer(self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self.raw(name)
        if value is None:
            return default
        allowed = f"a whole number from {minimum}" + (f" to {maximum}" if maximum is not None else " up")
        try:
            number = int(value)
        except ValueError:
            self.refuse(f"{name}={value!r} is not a number ({allowed}).")
            return default
        if number < minimum or (maximum is not None and number > maximum):
            self.refuse(f"{name}={number} is out of range ({allowed}).")
            return default
        return number

    def choice(self, name: str, default: str, allowed: Collection[str]) -> str:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() not in allowed:
            self.refuse(f"{name}={value!r} is not one of {', '.join(sorted(allowed))}.")
            return default
        return value.lower()

    def http_url(self, name: str, value: str) -> str:
        """``value`` (read by the caller) when it is http(s)://host[:port][/path]; refused otherwise."""
        problem = http_url_problem(value)
        if problem:
            self.refuse(f"{name}={value!r} is not an http(s)://host[:port][/path] address: {problem}.")
        return value.rstrip("/")


def http_url_problem(value: str) -> str:
    """What is wrong with ``value`` as a site address ('' when nothing is)."""
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a port that is not a number or out of range
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return "the scheme must be http or https"
    if not parts.hostname:
        return "it names no host"
    if parts.username is not None or parts.password is not None:
        return "it must not carry a user name or password"
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        return "it must not carry a query or fragment"
    if port == 0:
        return "port 0 is not an address"
    return ""


def database_url_problem(value: str) -> str:
    """What is wrong with ``value`` as DATABASE_URL ('' when nothing is)."""
    if value.startswith("sqlite:"):
        if not value.startswith("sqlite:///") or len(value) == len("sqlite:///"):
            return "a SQLite address is sqlite:///relative/path or sqlite:////absolute/path"
        return ""
    if value.startswith(("postgresql://", "postgres://")):
        try:
            urlsplit(value).port  # noqa: B018 - read for the ValueError a bad port raises
        except ValueError as exc:
            return str(exc)
        return ""
    return "it must start with sqlite:///, postgresql:// or postgres://"


def masked(value: str) -> str:
    """A secret as ``check`` shows it: whether it is set and how long, never a character of it."""
    return f"<set, {len(value)} characters>" if value else "<unset>"


def masked_url(value: str) -> str:
    """A URL with its password replaced, so the database address can be printed."""
    parts = urlsplit(value)
    if parts.password is None:
        return value
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
