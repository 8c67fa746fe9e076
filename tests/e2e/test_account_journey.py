"""A newcomer signs up as a guest, signs out, signs in again and sees their account page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_guest_signs_up_signs_in_and_sees_account(live_server: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Sign up").first.click()

    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace.journey@example.org")
    page.get_by_label("Password").fill("a sturdy passphrase")
    page.get_by_label("Degree").select_option("MD")
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url(f"{live_server}/account")
    assert page.locator("#account-email").inner_text() == "grace.journey@example.org"
    assert page.locator("#account-roles").inner_text() == "guest"

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/account")
    assert "/signin" in page.url, "account page must need a sign-in after sign-out"

    page.get_by_label("Email").fill("grace.journey@example.org")
    page.get_by_label("Password").fill("a sturdy passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/account")
    assert page.get_by_role("heading", name="Your account").is_visible()
    assert page.locator("#account-email").inner_text() == "grace.journey@example.org"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["gr_session"]["httpOnly"] is True
    assert cookies["gr_session"]["sameSite"] == "Lax"


def test_sign_in_with_a_wrong_password_shows_an_error(live_server: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    page.goto(f"{live_server}/signin")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "The email or password is not right."
