"""File stores for tests: a local folder or a real S3 API on loopback (moto's server), and what they hold.

``file_store`` runs a test once per backend (``local``, ``s3``) with that store
installed as the process's, so uploads through the app's routes land in it.
``s3_endpoint`` starts one moto server for the run; each test gets its own
bucket. A conftest that wants them imports them from here.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import obstore
import pytest

from grandrounds import storage
from grandrounds.storage.local import LocalStorage
from grandrounds.storage.s3 import S3Storage

# moto accepts any credentials; obstore signs every request, so it needs some (and must not go
# looking for an instance role when none are set).
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def new_bucket(endpoint: str) -> str:
    """A fresh, empty bucket (CreateBucket is a bare PUT of its name)."""
    name = f"grandrounds-{secrets.token_hex(6)}"
    httpx.put(f"{endpoint}/{name}").raise_for_status()
    return name


def s3_store(endpoint: str) -> S3Storage:
    return S3Storage(new_bucket(endpoint), endpoint_url=endpoint, region="us-east-1")


def closed_port() -> int:
    """A loopback port nothing listens on: a store that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=["local", "s3"])
def file_store(request: pytest.FixtureRequest, app: object, tmp_path: Path) -> Iterator[storage.Storage]:
    """Each backend in turn as the process's store (after the app, which installs its own when built)."""
    chosen: storage.Storage
    if request.param == "local":
        chosen = LocalStorage(tmp_path / "var")
    else:
        chosen = s3_store(request.getfixturevalue("s3_endpoint"))
    previous = storage.install(chosen)
    try:
        yield chosen
    finally:
        storage.install(previous)


async def keys(store: storage.Storage) -> list[str]:
    """Every key the store holds, sorted."""
    if isinstance(store, LocalStorage):
        return sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file())
    assert isinstance(store, S3Storage)
    found: list[str] = []
    async for batch in obstore.list(store.store):
        found.extend(str(meta["path"]) for meta in batch)
    return sorted(found)
