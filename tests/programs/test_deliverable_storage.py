"""Deliverables through the file store, on each backend: what is stored and served, what a failure leaves."""

from __future__ import annotations

from typing import Any

import pytest

from grandrounds import storage
from grandrounds.db import is_sqlite
from grandrounds.storage.local import LocalStorage
from grandrounds.storage.s3 import S3Storage
from programs.tables import Deliverable
from records.services.anonymize import anonymize_person
from tests.builders.clients import csrf_from
from tests.builders.cohorts import PDF, World, make_world
from tests.builders.storage import closed_port, keys, s3_store

POLICY = {"min_attendance_percent": 0, "requires_deliverable": True}


async def _world(client: Any) -> World:
    return await make_world(client, policy=POLICY)


def _url(world: World) -> str:
    return f"/api/v1/cohorts/{world.cohort_id}/deliverables"


async def _page_upload(world: World, data: bytes) -> Any:
    me = world.residents[0]
    page = f"/my/cohorts/{world.cohort_id}"
    form = await world.client.get(page, headers=me.headers)
    return await world.client.post(
        f"{page}/deliverable",
        data={"_csrf_token": csrf_from(form.text)},
        files={"file": ("plan.pdf", data, "application/pdf")},
        headers=me.headers,
        follow_redirects=False,
    )


async def test_uploads_land_in_the_store_and_come_back_to_learner_and_staff(
    client: Any, file_store: storage.Storage
) -> None:
    world = await _world(client)
    me = world.residents[0]

    uploaded = await world.api("POST", _url(world), me, files={"file": ("plan.pdf", PDF, "application/pdf")})
    assert uploaded.status_code == 201, uploaded.text
    from_page = await _page_upload(world, PDF + b"% second version\n")
    assert from_page.status_code in (302, 303) and "notice" in from_page.headers["location"]

    rows = await Deliverable.select().order_by(Deliverable.id)
    assert rows[0]["id"] == uploaded.json()["id"]
    assert await keys(file_store) == sorted(f"deliverables/{r['storage_name']}" for r in rows)
    for row, expected in zip(rows, (PDF, PDF + b"% second version\n"), strict=True):
        file_url = f"/api/v1/deliverables/{row['id']}/file"
        for who in (me, world.staff):
            download = await world.api("GET", file_url, who)
            assert download.status_code == 200 and download.content == expected
            assert download.headers["content-type"].startswith("application/pdf")


async def test_a_file_gone_from_the_store_is_410_with_its_own_code(
    client: Any, file_store: storage.Storage
) -> None:
    world = await _world(client)
    me = world.residents[0]
    uploaded = await world.api("POST", _url(world), me, files={"file": ("plan.pdf", PDF, "application/pdf")})
    row = await Deliverable.select().first()
    await file_store.delete(f"deliverables/{row['storage_name']}")

    for who in (me, world.staff):
        gone = await world.api("GET", f"/api/v1/deliverables/{uploaded.json()['id']}/file", who)
        assert gone.status_code == 410 and gone.json()["code"] == "deliverable.file_missing"


def _down(backend: str, tmp_path: Any) -> storage.Storage:
    """A store that cannot take a file: S3 where nothing listens, a folder where a file sits."""
    if backend == "s3":
        return S3Storage(
            "grandrounds-down", endpoint_url=f"http://127.0.0.1:{closed_port()}", region="us-east-1"
        )
    root = tmp_path / "var"
    root.mkdir()
    (root / "deliverables").write_text("a file where the folder should be")
    return LocalStorage(root)


@pytest.mark.parametrize("backend", ["local", "s3"])
async def test_a_store_that_is_down_refuses_the_upload_and_writes_no_row(
    client: Any, app: Any, tmp_path: Any, backend: str
) -> None:
    world = await _world(client)
    me = world.residents[0]
    previous = storage.install(_down(backend, tmp_path))
    try:
        refused = await world.api(
            "POST", _url(world), me, files={"file": ("plan.pdf", PDF, "application/pdf")}
        )
        assert refused.status_code == 503 and refused.json()["code"] == "storage.unavailable"
        assert refused.headers["retry-after"] == "5"
        from_page = await _page_upload(world, PDF)
        assert from_page.status_code in (302, 303) and "error=" in from_page.headers["location"]
    finally:
        storage.install(previous)
    assert await Deliverable.count() == 0


async def test_a_bucket_that_is_down_answers_a_download_with_503(
    client: Any, app: Any, s3_endpoint: str
) -> None:
    world = await _world(client)
    previous = storage.install(s3_store(s3_endpoint))
    try:
        uploaded = await world.api(
            "POST", _url(world), world.residents[0], files={"file": ("plan.pdf", PDF, "application/pdf")}
        )
        storage.install(_down("s3", None))
        answer = await world.api("GET", f"/api/v1/deliverables/{uploaded.json()['id']}/file")
    finally:
        storage.install(previous)
    assert answer.status_code == 503 and answer.json()["code"] == "storage.unavailable"


async def _refuse_deliverable_rows() -> None:
    """A database that takes the file's row no more: a trigger that aborts every insert."""
    if is_sqlite():
        await Deliverable.raw(
            "CREATE TRIGGER test_refuse_deliverable BEFORE INSERT ON programs_deliverable "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
    else:
        await Deliverable.raw(
            "CREATE FUNCTION test_refuse_deliverable() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
        )
        await Deliverable.raw(
            "CREATE TRIGGER test_refuse_deliverable BEFORE INSERT ON programs_deliverable "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_deliverable()"
        )


async def _accept_deliverable_rows() -> None:
    if is_sqlite():
        await Deliverable.raw("DROP TRIGGER IF EXISTS test_refuse_deliverable")
    else:
        await Deliverable.raw("DROP TRIGGER IF EXISTS test_refuse_deliverable ON programs_deliverable")
        await Deliverable.raw("DROP FUNCTION IF EXISTS test_refuse_deliverable()")


async def test_a_row_that_fails_to_commit_takes_its_file_back_out(
    client: Any, file_store: storage.Storage
) -> None:
    world = await _world(client)
    await _refuse_deliverable_rows()
    try:
        failed = await world.api(
            "POST", _url(world), world.residents[0], files={"file": ("plan.pdf", PDF, "application/pdf")}
        )
    finally:
        await _accept_deliverable_rows()
    assert failed.status_code == 500 and failed.json()["code"] == "internal"
    assert await Deliverable.count() == 0
    assert await keys(file_store) == [], "the stored file went with its row"


async def test_erasure_keeps_the_file_with_the_cme_record(client: Any, file_store: storage.Storage) -> None:
    world = await _world(client)
    me = world.residents[0]
    uploaded = await world.api(
        "POST", _url(world), me, files={"file": ("My plan.pdf", PDF, "application/pdf")}
    )

    await anonymize_person(me.id, reason="erasure request")

    download = await world.api("GET", f"/api/v1/deliverables/{uploaded.json()['id']}/file", world.staff)
    assert download.status_code == 200 and download.content == PDF
    assert 'filename="deliverable.pdf"' in download.headers["content-disposition"], (
        "their file name is blanked"
    )
    assert len(await keys(file_store)) == 1
