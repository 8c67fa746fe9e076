"""The default store: files in folders under ``var/`` (``var/deliverables/…``), for one machine.

Each area's folder is readable by this user only (0700) and each file 0600,
like the rest of ``var/``. A file is written under a temporary name beside its
final one, flushed to disk, and renamed into place, so a crash or a full disk
never leaves half a file under a key a row points to. Disk work runs in a
thread: a 10 MB write must not stall every other request of the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from pathlib import Path

from grandrounds.settings import PRIVATE_FILE_MODE, private_dir
from grandrounds.storage import ObjectMissing, check_key
from grandrounds.storage.errors import storage_unavailable

log = logging.getLogger("grandrounds.storage")


class LocalStorage:
    """Keys are paths below ``root``; the first part of a key is a folder (``deliverables``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def describe(self) -> str:
        return f"local folder {self.root}"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path_of(key)
        try:
            await asyncio.to_thread(_write, path, data)
        except OSError as exc:  # a full disk, a folder we may not write: nothing was stored
            log.error("storing %s in %s failed: %s", key, self.root, exc)
            raise storage_unavailable() from exc

    async def get(self, key: str) -> bytes:
        path = self.path_of(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise ObjectMissing(key) from exc
        except OSError as exc:
            log.error("reading %s from %s failed: %s", key, self.root, exc)
            raise storage_unavailable() from exc

    async def delete(self, key: str) -> None:
        path = self.path_of(key)
        try:
            await asyncio.to_thread(path.unlink, missing_ok=True)
        except OSError as exc:
            log.error("deleting %s from %s failed: %s", key, self.root, exc)
            raise storage_unavailable() from exc

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path_of(key).is_file)


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, the file 0600 and its folders 0700."""
    folder = private_dir(path.parent)  # also narrows a folder an older version made under the umask
    # mkstemp makes the file 0600 and opens it exclusively, beside the final name (same file system).
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(handle, "wb") as partial:
            partial.write(data)
            partial.flush()
            os.fsync(partial.fileno())
        os.chmod(temporary, PRIVATE_FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
