"""Which addresses are accounts on which platform, and one spelling for each.

A listed account must be an https address on that platform's own hosts, in
the shape of an account page (not a post, a search or a share link), so a
visitor who follows it lands on the organization's profile. Each address is
normalized to one spelling (canonical host, lower-cased handle, no tracking
query, no trailing slash) so the same account sent twice, as
``https://twitter.com/Mayo?utm_source=x`` and ``https://x.com/mayo``, is
recognised as a duplicate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, urlsplit

from directory import errors

MAX_URL = 300
_HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}[a-z0-9]$")
_ILLEGAL = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")


@dataclass(frozen=True, slots=True)
class Platform:
    key: str
    label: str
    hosts: frozenset[str]  # empty: any host (Mastodon)
    example: str
    # Takes the parsed address, returns the normalized path (with query if any) or None if not an account.
    account_path: Callable[[SplitResult], str | None]
    canonical_host: str = ""  # empty: keep the host


def _single(
    pattern: str, reserved: frozenset[str] = frozenset(), prefix: str = "/"
) -> Callable[[SplitResult], str | None]:
    compiled = re.compile(pattern)

    def match(parts: SplitResult) -> str | None:
        found = compiled.fullmatch(parts.path.rstrip("/"))
        if found is None:
            return None
        handle = found.group(1).lower()
        if handle in reserved:
            return None
        return f"{prefix}{handle}"

    return match


def _facebook(parts: SplitResult) -> str | None:
    path = parts.path.rstrip("/")
    if path == "/profile.php":
        ids = parse_qs(parts.query).get("id", [])
        return (
            f"/profile.php?id={ids[0]}" if len(ids) == 1 and ids[0].isdigit() and len(ids[0]) < 25 else None
        )
    return _single(
        r"/([A-Za-z0-9.\-]{3,80})",
        frozenset(
            {"sharer", "sharer.php", "share", "login", "watch", "events", "groups", "home.php", "search"}
        ),
    )(parts)


def _linkedin(parts: SplitResult) -> str | None:
    found = re.fullmatch(r"/(company|school|showcase)/([A-Za-z0-9\-_.%]{1,100})", parts.path.rstrip("/"))
    return f"/{found.group(1)}/{found.group(2).lower()}" if found else None


def _youtube(parts: SplitResult) -> str | None:
    path = parts.path.rstrip("/")
    if found := re.fullmatch(r"/@([A-Za-z0-9._\-]{3,30})", path):
        return f"/@{found.group(1).lower()}"
    if found := re.fullmatch(r"/channel/(UC[A-Za-z0-9_\-]{22})", path):
        return f"/channel/{found.group(1)}"  # channel ids are case-sensitive
    return None


def _hosts(*names: str) -> frozenset[str]:
    return frozenset(names) | frozenset(f"www.{name}" for name in names)


PLATFORMS: dict[str, Platform] = {
    p.key: p
    for p in (
        Platform(
            "x",
            "X (Twitter)",
            _hosts("x.com", "twitter.com") | {"mobile.twitter.com", "mobile.x.com"},
            "https://x.com/mayoclinic",
            _single(
                r"/([A-Za-z0-9_]{1,15})",
                frozenset({"home", "search", "intent", "share", "i", "explore", "settings", "hashtag"}),
            ),
            "x.com",
        ),
        Platform(
            "facebook",
            "Facebook",
            _hosts("facebook.com", "fb.com") | {"m.facebook.com", "web.facebook.com"},
            "https://facebook.com/MayoClinic",
            _facebook,
            "facebook.com",
        ),
        Platform(
            "instagram",
            "Instagram",
            _hosts("instagram.com"),
            "https://instagram.com/mayoclinic",
            _single(
                r"/([A-Za-z0-9._]{1,30})", frozenset({"p", "reel", "reels", "explore", "stories", "accounts"})
            ),
            "instagram.com",
        ),
        Platform(
            "linkedin",
            "LinkedIn",
            _hosts("linkedin.com"),
            "https://linkedin.com/company/mayo-clinic",
            _linkedin,
            "linkedin.com",
        ),
        Platform(
            "youtube",
            "YouTube",
            _hosts("youtube.com") | {"m.youtube.com"},
            "https://youtube.com/@mayoclinic",
            _youtube,
            "youtube.com",
        ),
        Platform(
            "tiktok",
            "TikTok",
            _hosts("tiktok.com"),
            "https://tiktok.com/@mayoclinic",
            _single(r"/@([A-Za-z0-9._]{2,24})", prefix="/@"),
            "tiktok.com",
        ),
        Platform(
            "threads",
            "Threads",
            _hosts("threads.net", "threads.com"),
            "https://threads.com/@mayoclinic",
            _single(r"/@([A-Za-z0-9._]{1,30})", prefix="/@"),
            "threads.com",
        ),
        Platform(
            "bluesky",
            "Bluesky",
            frozenset({"bsky.app"}),
            "https://bsky.app/profile/mayoclinic.org",
            _single(r"/profile/([A-Za-z0-9.\-:]{3,253})", prefix="/profile/"),
            "bsky.app",
        ),
        Platform(
            "mastodon",
            "Mastodon",
            frozenset(),
            "https://mastodon.social/@nhs",
            _single(r"/@([A-Za-z0-9_]{1,30})", prefix="/@"),
        ),
    )
}
KNOWN_HOSTS = frozenset().union(*(p.hosts for p in PLATFORMS.values()))


def parse_https(raw: str, field: str, label: str) -> SplitResult:
    """The address split into parts, refusing anything but a plain https URL with a DNS host."""
    if _ILLEGAL.search(raw):
        raise errors.url_invalid(field, label)
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise errors.url_invalid(field, label) from None
    if parts.scheme.lower() != "https":
        if parts.scheme.lower() == "http":
            raise errors.url_not_https(field, label)
        raise errors.url_invalid(field, label)
    host = (parts.hostname or "").rstrip(".")
    if parts.username is not None or parts.password is not None or port not in (None, 443):
        raise errors.url_invalid(field, label)
    if not _HOST.match(host):
        raise errors.url_invalid(field, label)
    return parts._replace(netloc=host)


def normalize_account(platform_key: str, raw: str) -> str:
    """The one spelling of an account address on ``platform_key``, or a 400 saying what is wrong."""
    platform = PLATFORMS[platform_key]
    field = f"accounts.{platform_key}"
    text = raw.strip()
    if len(text) > MAX_URL:
        raise errors.text_too_long(field, platform.label, MAX_URL)
    parts = parse_https(text, field, platform.label)
    host = parts.netloc
    if platform.hosts:
        if host not in platform.hosts:
            raise errors.url_not_platform(field, platform.label, platform.example)
    elif host in KNOWN_HOSTS:
        raise errors.url_not_platform(field, platform.label, platform.example)
    path = platform.account_path(parts)
    if path is None:
        raise errors.url_not_platform(field, platform.label, platform.example)
    return f"https://{platform.canonical_host or host}{path}"
