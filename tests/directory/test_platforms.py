"""Per-platform address rules: https on the platform's own hosts, in a profile's shape, one spelling each."""

from __future__ import annotations

import pytest

from directory.platforms import normalize_account
from grandrounds.errors import InvalidInput


@pytest.mark.parametrize(
    ("platform", "raw", "expected"),
    [
        ("x", "https://twitter.com/MayoClinic", "https://x.com/mayoclinic"),
        ("x", "https://www.x.com/MayoClinic/?utm_source=share&s=20", "https://x.com/mayoclinic"),
        ("x", "https://mobile.twitter.com/nhsengland#top", "https://x.com/nhsengland"),
        ("facebook", "https://m.facebook.com/MayoClinic/", "https://facebook.com/mayoclinic"),
        ("facebook", "https://www.facebook.com/profile.php?id=100064&fbclid=abc", "https://facebook.com/profile.php?id=100064"),
        ("instagram", "https://www.instagram.com/mayoclinic/?hl=en", "https://instagram.com/mayoclinic"),
        ("linkedin", "https://www.linkedin.com/company/Mayo-Clinic/", "https://linkedin.com/company/mayo-clinic"),
        ("linkedin", "https://linkedin.com/school/harvard-medical-school", "https://linkedin.com/school/harvard-medical-school"),
        ("youtube", "https://www.youtube.com/@MayoClinic", "https://youtube.com/@mayoclinic"),
        ("youtube", "https://m.youtube.com/channel/UCdmy8z4f1uSdBQR8gq3pK6A?sub_confirmation=1",
         "https://youtube.com/channel/UCdmy8z4f1uSdBQR8gq3pK6A"),
        ("tiktok", "https://www.tiktok.com/@MayoClinic?lang=en", "https://tiktok.com/@mayoclinic"),
        ("threads", "https://www.threads.net/@mayoclinic", "https://threads.com/@mayoclinic"),
        ("bluesky", "https://bsky.app/profile/NHS.uk", "https://bsky.app/profile/nhs.uk"),
        ("mastodon", "https://Mastodon.Social/@NHS", "https://mastodon.social/@nhs"),
        ("mastodon", "https://med-mastodon.com/@CDC/", "https://med-mastodon.com/@cdc"),
    ],
)  # fmt: skip
def test_accepted_addresses_get_one_spelling(platform: str, raw: str, expected: str) -> None:
    assert normalize_account(platform, raw) == expected


@pytest.mark.parametrize(
    ("platform", "raw", "code"),
    [
        ("x", "http://x.com/mayoclinic", "directory.url_not_https"),
        ("x", "x.com/mayoclinic", "directory.url_invalid"),
        ("x", "javascript:alert(1)", "directory.url_invalid"),
        ("x", "https://x.com.evil.example/mayoclinic", "directory.url_not_platform"),
        ("x", "https://facebook.com/mayoclinic", "directory.url_not_platform"),
        ("x", "https://x.com/mayoclinic/status/1234", "directory.url_not_platform"),
        ("x", "https://x.com/search", "directory.url_not_platform"),
        ("x", "https://user:pw@x.com/mayoclinic", "directory.url_invalid"),
        ("x", "https://x.com:8443/mayoclinic", "directory.url_invalid"),
        ("x", "https://x.com/<script>", "directory.url_invalid"),
        ("linkedin", "https://linkedin.com/in/some-person", "directory.url_not_platform"),
        ("youtube", "https://youtube.com/watch?v=abc", "directory.url_not_platform"),
        ("youtube", "https://youtu.be/@mayoclinic", "directory.url_not_platform"),
        ("instagram", "https://instagram.com/p/Cabc123", "directory.url_not_platform"),
        ("facebook", "https://facebook.com/sharer.php?u=x", "directory.url_not_platform"),
        ("mastodon", "https://mastodon.social/users/nhs", "directory.url_not_platform"),
        ("mastodon", "https://x.com/@nhs", "directory.url_not_platform"),
        ("mastodon", "https://127.0.0.1/@nhs", "directory.url_invalid"),
        ("bluesky", "https://bsky.social/profile/nhs.uk", "directory.url_not_platform"),
        ("tiktok", "https://tiktok.com/mayoclinic", "directory.url_not_platform"),
        ("x", "https://x.com/" + "a" * 300, "directory.text_too_long"),
    ],
)
def test_refused_addresses_say_why(platform: str, raw: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_account(platform, raw)
    assert caught.value.code == code
    assert caught.value.details["field"] == f"accounts.{platform}"
