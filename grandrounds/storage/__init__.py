"""Where uploaded files live: one small interface; a local folder by default, a bucket for several machines.

A service keeps the file's key in its row and the bytes here, so the rows can
move to a shared PostgreSQL while the files move to a shared bucket; nothing
above this module knows which. Keys are ours, never a user's:
``<area>/<name>`` (``deliverables/3f2a….pdf``), letters, digits, ``.``, ``_``
and ``-`` only, so a key can neither climb out of its folder nor name a file of
``var/`` itself (the secret key, the SQLite file).

Failures come in two kinds a caller must tell apart: :class:`ObjectMissing`
(the store answered, and holds nothing under that key) and
``storage.unavailable`` (a 503 from :mod:`grandrounds.storage.errors`: the
store did not answer, or refused us, so nothing can be said about the key).
"""

from __future__ import annotations

import re
from typing import Protocol

from grandrounds.settings import Settings, SettingsError, get_settings

KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,199})+")
BACKENDS = ("local", "s3")


class ObjectMissing(LookupError):
    """The store answered and holds nothing under this key."""


class Storage(Protocol):
    """Bytes by key. Every method raises ``storage.unavailable`` when the store cannot be reached."""

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key`` whole or not at all (a reader never sees half a file)."""

    async def get(self, key: str) -> bytes:
        """The bytes under ``key``; :class:`ObjectMissing` if there are none."""

    async def delete(self, key: str) -> None:
        """Remove ``key``; a key that holds nothing is not an error."""

    async def exists(self, key: str) -> bool:
        """Whether ``key`` holds an object."""

    def describe(self) -> str:
        """Where the files are, for an operator's log line (no credentials)."""


def check_key(key: str) -> str:
    if not KEY.fullmatch(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


def storage_for(settings: Settings) -> Storage:
    """The backend ``settings`` ask for; a setting it cannot work with stops the process at start."""
    if settings.storage == "local":
        from grandrounds.storage.local import LocalStorage

        return LocalStorage(settings.var_dir)
    if settings.storage == "s3":
        if not settings.s3_bucket:
            raise SettingsError("GRANDROUNDS_STORAGE=s3 needs GRANDROUNDS_S3_BUCKET (the bucket's name).")
        from grandrounds.storage.s3 import S3Storage

        return S3Storage(settings.s3_bucket, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region)
    raise SettingsError(f"GRANDROUNDS_STORAGE={settings.storage!r} is not one of: {', '.join(BACKENDS)}.")


_current: Storage | None = None


def current() -> Storage:
    """The process's store, made from its settings on first use."""
    global _current
    if _current is None:
        _current = storage_for(get_settings())
    return _current


def install(storage: Storage | None) -> Storage | None:
    """Make ``storage`` the process's store (None: back to the settings' own); returns the one it replaces.

    The app installs the store its settings name when it is built, so a setting it cannot work
    with stops ``serve`` at start rather than the first upload.
    """
    global _current
    previous, _current = _current, storage
    return previous
