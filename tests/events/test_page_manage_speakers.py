"""Staff invite speakers, see their answers and withdraw them through the page."""

from __future__ import annotations

from events.tables import SessionSpeaker
from notifications.tables import OutboxMessage
from tests.builders.clients import sign_in
from tests.builders.event_pages import add_talk, alert, conference, send, snapshot
from tests.builders.pages import visible_text


async def test_staff_invite_see_answers_and_withdraw_speakers(client) -> None:
    event_id, staff = await conference(client)
    session_id = await add_talk(client, event_id, staff)
    await sign_in(client, staff)
    page = f"/staff/sessions/{session_id}/speakers"
    invited = await send(client, page, page, email="Ana.Lopez@Example.org", name="Dr. Ana López")
    assert invited.status_code == 303 and invited.headers["location"] == f"{page}?done=invited"
    speaker = await SessionSpeaker.select().first()
    assert speaker["email_key"] == "ana.lopez@example.org" and speaker["status"] == "invited"
    assert await OutboxMessage.count().where(OutboxMessage.template == "speaker_invitation") == 1
    for email, status in (("b@example.org", "accepted"), ("c@example.org", "declined")):
        await send(client, page, page, email=email, name=email[0].upper())
        await SessionSpeaker.update({SessionSpeaker.status: status}).where(SessionSpeaker.email_key == email)
    listed = await client.get(page)
    statuses = [
        visible_text(p.split("</td>")[0]).strip() for p in listed.text.split('<td class="status">')[1:]
    ]
    assert statuses == ["Invited, no answer yet", "Accepted", "Declined"]

    before = await snapshot()
    for email, message in (
        ("not-an-address", "does not look like an email"),
        ("ana.lopez@example.org", "already"),
    ):
        bad = await send(client, page, page, email=email, name="Someone")
        assert bad.status_code in (400, 409) and message in alert(bad.text)
        assert 'value="Someone"' in bad.text
    assert await snapshot() == before

    withdrawn = await send(client, page, f"/staff/speakers/{speaker['id']}/withdraw")
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == f"{page}?done=withdrawn"
    row = await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first()
    assert row["status"] == "withdrawn" and row["token_hash"] == ""
    again = await send(client, page, f"/staff/speakers/{speaker['id']}/withdraw")
    assert again.status_code == 409 and "withdrawn" in alert(again.text)
