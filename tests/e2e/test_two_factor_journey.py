"""A person turns on two-factor sign-in from a phone-sized screen and signs in with a code."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import pytest

pytestmark = pytest.mark.e2e


def test_set_up_two_factor_then_sign_in_with_a_code(live_server: str, browser_page, run_dir: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/signup")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada.2fa@example.org")
    page.get_by_label("Password").fill("a sturdy passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{live_server}/account")

    page.get_by_role("link", name="Set up two-factor sign-in").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    qr = page.locator(".qr svg")
    assert qr.is_visible() and qr.bounding_box()["width"] <= 390
    key = page.locator("code").first.inner_text()
    page.screenshot(path=str(run_dir / "two-factor-setup-390.png"), full_page=True)
    page.get_by_label("Code from the app").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.locator(".codes li")
    assert codes.count() == 10
    assert "shown only now" in page.get_by_role("status").inner_text()

    page.goto(f"{live_server}/account")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto(f"{live_server}/signin")
    page.get_by_label("Email").fill("ada.2fa@example.org")
    page.get_by_label("Password").fill("a sturdy passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/signin/code**")
    # The code that turned it on is spent; the app's next one signs in.
    page.get_by_label("Code").fill(pyotp.TOTP(key).at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/account")
    assert "On: signing in asks for a code" in page.content()
