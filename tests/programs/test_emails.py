"""What programs send, over real SMTP: invitations with a working link, certificates with their code."""

from __future__ import annotations

from email.message import Message

from tests.builders.cohorts import make_world
from tests.builders.mail import smtp_dispatcher


def _parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()  # type: ignore[union-attr]
        for part in message.walk()
        if not part.is_multipart()
    }


async def test_invitation_email_carries_the_link_and_says_to_sign_up_first(client, smtp_server) -> None:
    inbox, port = smtp_server
    world = await make_world(client, residents=0)
    invited = await world.api(
        "POST", f"/api/v1/cohorts/{world.cohort_id}/invitations", json={"email": "newcomer@hospital.example"}
    )
    token = invited.json()["token"]
    assert await smtp_dispatcher(port).run_once() == 1
    [message] = inbox.messages
    assert message["To"] == "newcomer@hospital.example"
    assert message["Subject"] == "You are invited to Residency 2027"
    text = _parts(message)["text/plain"]
    assert f"/invitations/{token}" in text
    assert "First create your free account" in text
    page = await client.get(f"/invitations/{token}", headers=world.staff.headers)
    assert page.status_code == 200 and "Accept the invitation" in page.text


async def test_certificate_email_names_the_code_and_the_verify_page(client, smtp_server) -> None:
    inbox, port = smtp_server
    world = await make_world(client, policy={"min_attendance_percent": 0, "certificate_issuing": "automatic"})
    me = world.residents[0]
    code = (await world.progress(me))["certificate_code"]
    assert code
    assert await smtp_dispatcher(port).run_once() == 1
    [message] = inbox.messages
    assert message["To"] == me.email
    parts = _parts(message)
    assert code in parts["text/plain"] and f"/verify/{code}" in parts["text/plain"]
    assert f"/verify/{code}" in parts["text/html"]
