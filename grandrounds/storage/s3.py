"""An S3 bucket (AWS, or any S3-compatible service) as the store, so every machine sees the same files.

Through obstore (the Rust ``object_store`` crate that crates.io and Delta Lake
run on): natively async, so a 10 MB upload needs no thread, one wheel with no
Python dependencies (about 16 MB installed against boto3's 33 MB with
botocore, or aiobotocore's 44 MB with aiohttp), and typed. Credentials come
from the standard AWS chain it reads itself: ``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY`` (``AWS_SESSION_TOKEN``), a web identity token or
the instance's or container's role; grandrounds never holds them in its
settings.

A PUT is atomic in S3: an object appears whole or not at all. Timeouts and
retries are bounded so a store that is down answers a request in seconds with
``storage.unavailable`` instead of holding it for minutes.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

from grandrounds.storage import ObjectMissing, check_key
from grandrounds.storage.errors import storage_unavailable

log = logging.getLogger("grandrounds.storage")

# A 10 MB upload over a slow link fits in the request timeout; a dead host is given up on quickly.
CONNECT_TIMEOUT = timedelta(seconds=5)
REQUEST_TIMEOUT = timedelta(seconds=60)
MAX_RETRIES = 3
RETRY_TIMEOUT = timedelta(seconds=15)


class S3Storage:
    def __init__(self, bucket: str, *, endpoint_url: str = "", region: str = "") -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        options: dict[str, object] = {}
        if endpoint_url:
            options["endpoint"] = endpoint_url
        if region:
            options["region"] = region
        self.store = S3Store(
            bucket,
            client_options={
                # Plain http only where the operator named such an address (a service on a private network).
                "allow_http": endpoint_url.startswith("http://"),
                "connect_timeout": CONNECT_TIMEOUT,
                "timeout": REQUEST_TIMEOUT,
            },
            retry_config={
                "max_retries": MAX_RETRIES,
                "retry_timeout": RETRY_TIMEOUT,
                "backoff": {"init_backoff": timedelta(milliseconds=100), "max_backoff": timedelta(seconds=2)},
            },
            **options,  # type: ignore[arg-type]
        )

    def describe(self) -> str:
        return f"S3 bucket {self.bucket}" + (f" at {self.endpoint_url}" if self.endpoint_url else "")

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            await obstore.put_async(
                self.store,
                check_key(key),
                data,
                attributes={"Content-Type": content_type},
                # One PUT (S3 takes 5 GB in one): no multipart upload whose parts a failure could strand.
                use_multipart=False,
            )
        except (BaseError, OSError) as exc:  # a missing bucket is a FileNotFoundError here
            raise self._unavailable("storing", key, exc) from exc

    async def get(self, key: str) -> bytes:
        try:
            result = await obstore.get_async(self.store, check_key(key))
            return bytes(await result.bytes_async())
        except FileNotFoundError as exc:
            if _no_bucket(exc):
                raise self._unavailable("reading", key, exc) from exc
            raise ObjectMissing(key) from exc
        except (BaseError, OSError) as exc:
            raise self._unavailable("reading", key, exc) from exc

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self.store, check_key(key))
        except (BaseError, OSError) as exc:
            raise self._unavailable("deleting", key, exc) from exc

    async def exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self.store, check_key(key))
        except FileNotFoundError as exc:
            if _no_bucket(exc):
                raise self._unavailable("looking up", key, exc) from exc
            return False
        except (BaseError, OSError) as exc:
            raise self._unavailable("looking up", key, exc) from exc
        return True

    def _unavailable(self, doing: str, key: str, exc: BaseException) -> Exception:
        # obstore's message starts with what failed and why; its debug dump follows on later lines.
        log.error("%s %s in %s failed: %s", doing, key, self.describe(), str(exc).splitlines()[0][:500])
        return storage_unavailable()


def _no_bucket(exc: BaseException) -> bool:
    """A wrong bucket name answers 404 like a missing key; it is a setting to fix, not a lost file."""
    return "NoSuchBucket" in str(exc)
