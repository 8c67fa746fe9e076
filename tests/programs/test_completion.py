"""Completion: progress in words, deliverables, sign-off, certificates, verification, transcripts."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest

from programs.services.certificates import ALPHABET, issue_due, new_code, normalize_code
from programs.tables import Certificate, Deliverable
from tests.builders.cohorts import PDF, hours_ago, make_world
from tests.builders.people import make_staff


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


async def test_progress_says_which_rule_is_unmet(client) -> None:
    world = await make_world(
        client,
        sessions=[
            ("Platforms and audiences", hours_ago(72), True),
            ("Crisis communication", hours_ago(48), True),
            ("Measuring reach", hours_ago(24), True),
        ],
        policy={"min_attendance_percent": 50, "max_unexcused_absences": 0, "requires_signoff": True},
    )
    me = world.residents[0]
    platforms, _crisis, reach = world.sessions
    await world.mark(platforms, me, "Present")
    await world.mark(reach, me, "Late")
    progress = await world.progress(me)
    assert progress["state"] == "cannot_complete"
    assert [r["explanation"] for r in progress["rules"]] == [
        "Attendance 50% of 50% needed",
        "2 of 3 required sessions attended; missing: Crisis communication",
        "1 unexcused absence; at most 0 allowed",
        "Staff sign-off: not yet given",
    ]
    assert [r["met"] for r in progress["rules"]] == [True, False, False, False]
    assert progress["to_do"] == [r["explanation"] for r in progress["rules"][1:]]


async def test_required_sessions_still_to_come_are_named(client) -> None:
    world = await make_world(
        client, sessions=[("Kickoff", hours_ago(24), True), ("Crisis communication", hours_ago(-48), True)]
    )
    me = world.residents[0]
    await world.mark(world.sessions[0], me, "Present")
    progress = await world.progress(me)
    assert progress["rules"][1]["explanation"] == (
        "1 of 2 required sessions attended; still to come: Crisis communication"
    )
    assert progress["state"] == "in_progress"


async def test_deliverable_upload_review_and_private_download(client, file_store) -> None:
    world = await make_world(
        client,
        policy={
            "min_attendance_percent": 0,
            "certificate_issuing": "automatic",
            "requires_deliverable": True,
        },
    )
    me = world.residents[0]
    other = await world.add_resident()
    url = f"/api/v1/cohorts/{world.cohort_id}/deliverables"
    assert (await world.progress(me))["to_do"] == ["Strategic social media plan: not submitted yet"]

    wrong = await world.api(
        "POST", url, me, files={"file": ("plan.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "deliverable.type"
    big = await world.api(
        "POST", url, me, files={"file": ("plan.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")}
    )
    assert big.status_code == 400 and big.json()["code"] == "deliverable.too_large"
    plan = docx()
    uploaded = await world.api(
        "POST", url, me, files={"file": ("../../etc/My plan.docx", plan, "application/octet-stream")}
    )
    assert uploaded.status_code == 201, uploaded.text
    item = uploaded.json()
    assert (item["filename"], item["content_type"], item["status"]) == (
        "My plan.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "submitted",
    )
    assert (await world.progress(me))["to_do"] == ["Strategic social media plan: submitted, awaiting review"]

    file_url = f"/api/v1/deliverables/{item['id']}/file"
    mine = await world.api("GET", file_url, me)
    assert mine.status_code == 200 and mine.content == plan
    assert mine.headers["content-disposition"].startswith("attachment")
    assert (await world.api("GET", file_url, world.staff)).status_code == 200
    assert (await world.api("GET", file_url, other)).status_code == 404
    assert (await client.get(file_url)).status_code == 401
    outsider_staff = await make_staff()
    assert (await world.api("GET", file_url, outsider_staff)).status_code == 404

    review = f"/api/v1/deliverables/{item['id']}/review"
    no_note = await world.api("POST", review, json={"decision": "return"})
    assert no_note.status_code == 400 and no_note.json()["code"] == "deliverable.decision_invalid"
    assert (await world.api("POST", review, me, json={"decision": "pass"})).status_code == 403
    returned = await world.api("POST", review, json={"decision": "return", "note": "Add a crisis section"})
    assert returned.json()["status"] == "returned"
    assert (await world.progress(me))["to_do"] == [
        "Strategic social media plan: returned for changes (Add a crisis section); upload a new version"
    ]
    second = await world.api("POST", url, me, files={"file": ("plan v2.pdf", PDF, "application/pdf")})
    passed = await world.api(
        "POST", f"/api/v1/deliverables/{second.json()['id']}/review", json={"decision": "pass"}
    )
    assert passed.json()["status"] == "passed"
    progress = await world.progress(me)
    assert progress["state"] == "complete" and progress["certificate_code"]


async def test_deliverables_are_refused_where_none_is_asked_or_by_non_members(client) -> None:
    world = await make_world(client, policy={"min_attendance_percent": 0})
    me = world.residents[0]
    url = f"/api/v1/cohorts/{world.cohort_id}/deliverables"
    refused = await world.api("POST", url, me, files={"file": ("plan.pdf", PDF, "application/pdf")})
    assert refused.status_code == 409 and refused.json()["code"] == "deliverable.not_required"
    assert (
        await world.api("POST", url, world.staff, files={"file": ("plan.pdf", PDF, "application/pdf")})
    ).status_code == 404
    assert await Deliverable.count() == 0


async def test_certificate_is_issued_once_with_a_date_that_never_changes(client) -> None:
    world = await make_world(client, policy={"min_attendance_percent": 80, "requires_signoff": True})
    me, pa = world.residents[0], await world.add_resident(degree="PA")
    for session_id in world.sessions:
        await world.mark(session_id, me, "Present", minutes=52)
        await world.mark(session_id, pa, "Present")
    assert (await world.progress(me))["to_do"] == ["Staff sign-off: not yet given"]
    enrollments = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/enrollments")).json()
    for e in enrollments:
        signed = await world.api("POST", f"/api/v1/enrollments/{e['id']}/sign-off")
        assert signed.status_code == 200
    progress = await world.progress(me)
    code = progress["certificate_code"]
    assert progress["state"] == "complete" and normalize_code(code) == code
    cert = (await client.get(f"/api/v1/certificates/{code}")).json()
    assert cert | {"issued_on": None} == {
        "code": code,
        "kind": "cme",
        "learner_name": me.email.split("@")[0].title(),
        "program_name": cert["program_name"],
        "cohort_name": "Residency 2027",
        "provider": cert["program_name"],
        "activity_format": "Live webinar series",
        "location": "web-based",
        "starts_on": cert["starts_on"],
        "ends_on": cert["ends_on"],
        "credits": "2.25",
        "issued_on": None,
        "revoked": False,
        "revoked_reason": "",
    }
    pa_cert = await Certificate.select().where(Certificate.person == pa.id).first()
    assert (pa_cert["kind"], pa_cert["credit_quarters"]) == ("participation", 0)

    issued_on = cert["issued_on"]
    # More attendance, a later sweep: the certificate and its date stay as they were.
    await world.mark(world.sessions[0], me, "Present", minutes=60)
    assert await issue_due(world.cohort_id, at=datetime.now(UTC) + timedelta(days=40)) == []
    again = (await client.get(f"/api/v1/certificates/{code}")).json()
    assert (again["issued_on"], again["credits"]) == (issued_on, "2.25")
    assert await Certificate.count().where(Certificate.person == me.id) == 1


@pytest.mark.parametrize(
    ("timing", "extra", "issued_before_end", "issued_after_end"),
    [
        ("immediately", {}, True, True),
        ("cohort_end", {}, False, True),
        ("on_date", {"certificate_date": (date.today() + timedelta(days=10)).isoformat()}, False, True),
    ],
)
async def test_certificates_come_when_the_program_says(
    client, timing, extra, issued_before_end, issued_after_end
) -> None:
    world = await make_world(client, policy={"min_attendance_percent": 0, "certificate_issuing": "automatic"})
    rules = await world.api(
        "PUT", f"/api/v1/programs/{world.program_id}/rules", json={"certificate_timing": timing, **extra}
    )
    assert rules.status_code == 200, rules.text
    assert (await world.progress(world.residents[0]))["state"] == "complete"
    assert bool(await Certificate.count()) is issued_before_end
    after_end = datetime.now(UTC) + timedelta(days=62)
    await issue_due(world.cohort_id, at=after_end)
    assert bool(await Certificate.count()) is issued_after_end


async def test_on_date_timing_needs_a_date(client) -> None:
    world = await make_world(client)
    refused = await world.api(
        "PUT", f"/api/v1/programs/{world.program_id}/rules", json={"certificate_timing": "on_date"}
    )
    assert refused.status_code == 400 and refused.json()["code"] == "program.certificate_timing_invalid"


async def test_public_verify_page_and_revocation(client) -> None:
    world = await make_world(client, policy={"min_attendance_percent": 0, "certificate_issuing": "automatic"})
    me = world.residents[0]
    code = (await world.progress(me))["certificate_code"]
    page = await client.get(f"/verify/{code}")
    assert page.status_code == 200
    for text in (code, "Residency 2027", "Valid", me.email.split("@")[0].title()):
        assert text in page.text
    assert "Revoke certificate" not in page.text
    typed = await client.get(f"/verify/{code.lower().replace('-', '')}", follow_redirects=False)
    assert typed.status_code in (301, 302, 303, 307) and typed.headers["location"] == f"/verify/{code}"
    assert (await client.get("/verify/ZZZZ-ZZZZ-ZZZZ")).status_code == 404
    assert (await client.get("/verify/not-a-code")).status_code == 404

    assert (
        await world.api("POST", f"/api/v1/certificates/{code}/revoke", me, json={"reason": "x"})
    ).status_code == 403
    blank = await world.api("POST", f"/api/v1/certificates/{code}/revoke", json={"reason": "  "})
    assert blank.status_code == 400 and blank.json()["code"] == "certificate.reason_required"
    revoked = await world.api(
        "POST", f"/api/v1/certificates/{code}/revoke", json={"reason": "Attendance was misreported"}
    )
    assert revoked.json()["revoked"] is True
    twice = await world.api("POST", f"/api/v1/certificates/{code}/revoke", json={"reason": "again"})
    assert twice.status_code == 409 and twice.json()["code"] == "certificate.revoked"
    page = await client.get(f"/verify/{code}")
    assert "Revoked" in page.text and "Attendance was misreported" in page.text
    printable = await client.get(f"/verify/{code}/print")
    assert printable.status_code == 200 and "REVOKED" in printable.text
    badge = (await client.get(f"/api/v1/certificates/{code}/badge")).json()
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["credentialSubject"]["achievement"]["type"] == ["Achievement"]


def test_verification_codes_are_4_4_4_from_an_unambiguous_alphabet() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(ALPHABET)
        assert not set("ILOU") & set(code)
    assert normalize_code("7kq2 m9xd 4hpt") == "7KQ2-M9XD-4HPT"
    assert normalize_code("OIL0-0000-0000") == "0110-0000-0000"
    assert normalize_code("7KQ2-M9XD-4HP") is None
    assert len(ALPHABET) == 32  # 12 characters x 5 bits = 60 bits


async def test_transcript_is_for_the_person_and_their_staff_only(client) -> None:
    world = await make_world(client, policy={"min_attendance_percent": 100})
    me, other = world.residents[0], await world.add_resident()
    await world.mark(world.sessions[0], me, "Present", minutes=67)
    await world.mark(world.sessions[1], me, "Excused")
    mine = await world.api("GET", f"/api/v1/transcripts/{me.id}", me)
    assert mine.status_code == 200
    body = mine.json()
    assert [(line["session_title"], line["credits"]) for line in body["lines"]] == [
        ("Platforms and audiences", "1.00")
    ]
    assert body["total_credits"] == "1.00"
    assert (await world.api("GET", f"/api/v1/transcripts/{me.id}", world.staff)).status_code == 200
    assert (await world.api("GET", f"/api/v1/transcripts/{me.id}", other)).status_code == 404
    assert (await world.api("GET", f"/api/v1/transcripts/{me.id}", await make_staff())).status_code == 404


async def test_the_background_sweep_issues_when_the_date_comes(client) -> None:
    from programs.services.certificates import sweep

    world = await make_world(
        client, policy={"min_attendance_percent": 50, "certificate_issuing": "automatic"}
    )
    rules_url = f"/api/v1/programs/{world.program_id}/rules"
    later = (date.today() + timedelta(days=5)).isoformat()
    await world.api("PUT", rules_url, json={"certificate_timing": "on_date", "certificate_date": later})
    me, absent = world.residents[0], await world.add_resident()
    for session_id in world.sessions:
        await world.mark(session_id, me, "Present")
    assert await sweep() == 0, "not before the date"
    await world.api(
        "PUT", rules_url, json={"certificate_date": (date.today() - timedelta(days=1)).isoformat()}
    )
    assert await sweep() == 1
    assert await sweep() == 0
    assert await Certificate.count().where(Certificate.person == absent.id) == 0
    assert (await world.progress(me))["certificate_code"]
