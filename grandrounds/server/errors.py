"""Errors of the operator's commands (backup, restore), each with its stable code.

The command line prints ``error: <code>: <message>`` and exits 2, so scripts and
cron jobs can branch on the code as API clients do.
"""

from __future__ import annotations

from grandrounds.errors import Conflict, InvalidInput, Unprocessable


def tool_missing(tool: str) -> Unprocessable:
    return Unprocessable(
        "backup.tool_missing",
        f"{tool} is not on PATH; install PostgreSQL's client tools (the server's major version or newer) "
        "to back up or restore a PostgreSQL database.",
        {"tool": tool},
    )


def tool_failed(tool: str, output: str) -> Unprocessable:
    return Unprocessable(
        "backup.tool_failed", f"{tool} failed: {output.strip()[-2000:] or 'no message'}", {"tool": tool}
    )


def file_invalid(path: str, expected: str) -> InvalidInput:
    return InvalidInput(
        "backup.file_invalid",
        f"{path} is not {expected}; a PostgreSQL database restores from `grandrounds backup` of a "
        "PostgreSQL database, a SQLite one from that of a SQLite one.",
        {"path": path},
    )


def database_not_empty(tables: list[str]) -> Conflict:
    shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
    return Conflict(
        "restore.database_not_empty",
        f"The database in DATABASE_URL already holds data ({shown}). Restoring replaces all of it; "
        "run again with --force if that is what you want, after stopping the app and its workers.",
        {"tables": tables},
    )


def database_missing(path: str) -> InvalidInput:
    return InvalidInput(
        "backup.database_missing",
        f"There is no SQLite database at {path}; check DATABASE_URL (or GRANDROUNDS_VAR_DIR).",
        {"path": path},
    )
