"""The file store: the same promises from the local folder and from a real S3 API (moto on loopback)."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import obstore
import pytest

from grandrounds import storage
from grandrounds.errors import DomainError
from grandrounds.settings import SettingsError, get_settings
from grandrounds.storage.local import LocalStorage
from grandrounds.storage.s3 import S3Storage
from tests.builders.storage import closed_port, keys

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_put_get_exists_delete(file_store: storage.Storage) -> None:
    key = "deliverables/abc123.pdf"
    assert not await file_store.exists(key)
    with pytest.raises(storage.ObjectMissing):
        await file_store.get(key)

    await file_store.put(key, PDF, "application/pdf")
    assert await file_store.exists(key)
    assert await file_store.get(key) == PDF
    bigger = PDF + b"0" * (6 * 1024 * 1024)  # more than one multipart chunk; still one object
    await file_store.put(key, bigger, "application/pdf")
    assert await file_store.get(key) == bigger, "a second put replaces the object whole"
    assert await keys(file_store) == [key]

    await file_store.delete(key)
    await file_store.delete(key)  # deleting nothing is not an error
    assert not await file_store.exists(key)
    assert await keys(file_store) == []


async def test_keys_cannot_leave_their_folder_or_name_var_itself(file_store: storage.Storage) -> None:
    for bad in (
        "secret_key",
        "../secret_key",
        "deliverables/../secret_key",
        "/etc/passwd",
        "deliverables/",
        "deliverables/.hidden",
        "deliverables/a b.pdf",
        "deliverables//x.pdf",
    ):
        with pytest.raises(ValueError, match="not a storage key"):
            await file_store.put(bad, b"x", "text/plain")
        with pytest.raises(ValueError, match="not a storage key"):
            await file_store.get(bad)


async def test_local_files_are_private_and_written_whole(tmp_path: Path) -> None:
    root = tmp_path / "var"
    (root / "deliverables").mkdir(parents=True, mode=0o755)
    (root / "deliverables").chmod(0o755)  # as an older version left it under the default umask
    files = LocalStorage(root)

    await files.put("deliverables/plan.pdf", PDF, "application/pdf")

    path = root / "deliverables" / "plan.pdf"
    assert path.read_bytes() == PDF
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((root / "deliverables").stat().st_mode) == 0o700
    assert [p.name for p in (root / "deliverables").iterdir()] == ["plan.pdf"], "no temporary file is left"


async def test_s3_keeps_the_content_type(s3_endpoint: str) -> None:
    from tests.builders.storage import s3_store

    files = s3_store(s3_endpoint)
    await files.put("deliverables/plan.pdf", PDF, "application/pdf")
    result = await obstore.get_async(files.store, "deliverables/plan.pdf")
    assert result.attributes.get("Content-Type") == "application/pdf"


def _is_unavailable(exc: DomainError) -> bool:
    return exc.code == "storage.unavailable" and exc.status_code == 503


async def test_a_store_that_is_down_says_so_for_every_operation() -> None:
    down = S3Storage("grandrounds-down", endpoint_url=f"http://127.0.0.1:{closed_port()}", region="us-east-1")
    for call in (
        down.put("deliverables/x.pdf", PDF, "application/pdf"),
        down.get("deliverables/x.pdf"),
        down.exists("deliverables/x.pdf"),
        down.delete("deliverables/x.pdf"),
    ):
        with pytest.raises(DomainError) as caught:
            await call
        assert _is_unavailable(caught.value)


async def test_a_wrong_bucket_is_an_outage_not_a_missing_file(s3_endpoint: str) -> None:
    wrong = S3Storage("grandrounds-no-such-bucket", endpoint_url=s3_endpoint, region="us-east-1")
    for call in (wrong.get("deliverables/x.pdf"), wrong.put("deliverables/x.pdf", PDF, "application/pdf")):
        with pytest.raises(DomainError) as caught:
            await call
        assert _is_unavailable(caught.value)


async def test_a_local_folder_that_cannot_be_written_is_an_outage(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "deliverables").write_text("a file where the folder should be")
    with pytest.raises(DomainError) as caught:
        await LocalStorage(tmp_path / "var").put("deliverables/x.pdf", PDF, "application/pdf")
    assert _is_unavailable(caught.value)


def test_the_settings_choose_the_backend() -> None:
    settings = get_settings()
    local = storage.storage_for(settings)
    assert isinstance(local, LocalStorage) and local.root == settings.var_dir
    s3 = storage.storage_for(
        replace(
            settings, storage="s3", s3_bucket="files", s3_endpoint_url="http://127.0.0.1:9", s3_region="x"
        )
    )
    assert isinstance(s3, S3Storage) and s3.describe() == "S3 bucket files at http://127.0.0.1:9"
    with pytest.raises(SettingsError, match="GRANDROUNDS_S3_BUCKET"):
        storage.storage_for(replace(settings, storage="s3"))
    with pytest.raises(SettingsError, match="GRANDROUNDS_STORAGE='disk'"):
        storage.storage_for(replace(settings, storage="disk"))
