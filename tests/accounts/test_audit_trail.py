"""The audit trail: one row per action in the change's transaction, append-only in the database."""

from __future__ import annotations

import pytest

from accounts.audit import trail
from accounts.audit.tables import AuditEntry
from accounts.principal import Role
from accounts.tables import RoleGrant
from grandrounds.db import engine, write_transaction
from tests.builders.audit import audit_rows
from tests.builders.people import make_actor


async def test_granting_and_revoking_a_role_is_history_with_who_when_and_from_where(client) -> None:
    admin, person = await make_actor(Role.ADMIN), await make_actor(Role.MEMBER)
    headers = {**admin.headers, "User-Agent": "audit-test/1.0", "X-Request-ID": "req-grant-1"}
    granted = await client.post(
        f"/api/v1/people/{person.id}/roles", json={"role": "finance"}, headers=headers
    )
    assert granted.status_code == 200 and granted.headers["x-request-id"] == "req-grant-1"
    revoked = await client.delete(f"/api/v1/people/{person.id}/roles/finance", headers=admin.headers)
    assert revoked.status_code == 200 and "finance" not in revoked.json()["roles"]
    again = await client.post(
        f"/api/v1/people/{person.id}/roles", json={"role": "finance"}, headers=admin.headers
    )
    assert "finance" in again.json()["roles"]

    grants = await RoleGrant.select().where((RoleGrant.person == person.id) & (RoleGrant.role == "finance"))
    assert len(grants) == 2, "a revoked grant stays as history"
    closed = [g for g in grants if g["revoked_at"] is not None]
    assert len(closed) == 1 and closed[0]["revoked_by"] == admin.id and closed[0]["granted_by"] == admin.id

    [grant, *_] = await audit_rows("role.grant", request_id="req-grant-1")
    assert grant["actor_id"] == admin.id and grant["role"] == "admin"
    assert (grant["object_kind"], grant["object_id"], grant["subject_id"]) == (
        "person",
        str(person.id),
        person.id,
    )
    assert grant["changes"] == {"role": [None, "finance"]}
    assert grant["user_agent"] == "audit-test/1.0" and grant["client_address"]
    [revoke] = await audit_rows("role.revoke")
    assert revoke["changes"] == {"role": ["finance", None]} and len(revoke["request_id"]) == 32


async def test_a_refused_change_leaves_no_audit_row(client) -> None:
    admin = await make_actor(Role.ADMIN)
    missing = await client.post(
        "/api/v1/people/999999/roles", json={"role": "finance"}, headers=admin.headers
    )
    assert missing.status_code == 404
    bad = await client.post(
        "/api/v1/programs/",
        json={"slug": "No Spaces", "name": "x", "kind": "residency"},
        headers=admin.headers,
    )
    assert bad.status_code == 400
    assert await audit_rows() == []


async def test_the_row_and_the_change_commit_or_roll_back_together() -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with write_transaction():
            await trail.record("program.create", "program", 1, after={"slug": "x"})
            raise RuntimeError("boom")
    assert await AuditEntry.count() == 0
    with pytest.raises(RuntimeError, match="outside a transaction"):
        await trail.record("program.create", "program", 1)
    with pytest.raises(ValueError, match="unknown audit action"):
        async with write_transaction():
            await trail.record("program.explode", "program", 1)


async def test_secrets_are_never_written() -> None:
    async with write_transaction():
        await trail.record(
            "role.grant",
            "person",
            7,
            before={"password_hash": "old$hash", "name": "A"},
            after={"password_hash": "new$hash", "name": "B"},
            details={"reset_token": "abc123", "rows": 2},
        )
    [row] = await audit_rows()
    assert row["changes"] == {"password_hash": ["(changed)", "(changed)"], "name": ["A", "B"], "rows": 2}
    assert "hash" not in str(row["changes"]["password_hash"]) and "abc123" not in str(row)


async def test_the_database_refuses_update_and_delete_of_audit_rows() -> None:
    async with write_transaction():
        await trail.record("program.create", "program", 1, after={"slug": "x"})
    db = engine()
    for statement in (
        "UPDATE accounts_audit_entry SET action = 'role.grant'",
        "DELETE FROM accounts_audit_entry",
    ):
        with pytest.raises(Exception, match="append-only"):
            await db.run_ddl(statement)
    assert [row["action"] for row in await audit_rows()] == ["program.create"]
