"""Reading what a person proposes for a listing: every field checked, cleaned and normalized.

The same reader serves the public form, the JSON API and a moderator's edit,
so an approved listing always meets the rules a submission met. Free text is
plain text only: anything that looks like markup or a script is refused
rather than escaped, because a listing is copied into other people's
spreadsheets and sites, where our escaping does not follow it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from directory import errors
from directory.countries import COUNTRIES
from directory.platforms import KNOWN_HOSTS, PLATFORMS, normalize_account, parse_https

KINDS = {
    "hospital": "Hospital",
    "clinic": "Clinic",
    "research_lab": "Research lab",
    "association": "Association",
    "other": "Other",
}
LIMITS = {
    "name": 200,
    "region": 100,
    "city": 100,
    "description": 2000,
    "note": 2000,
    "contact_name": 200,
    "contact_email": 254,
    "website": 300,
}
LABELS = {
    "name": "Organization name",
    "kind": "Type",
    "country": "Country",
    "region": "Region",
    "city": "City",
    "website": "Website",
    "description": "Description",
    "note": "Note to the moderators",
    "contact_name": "Your name",
    "contact_email": "Your email",
    **{key: p.label for key, p in PLATFORMS.items()},
}
_MARKUP = re.compile(r"<\s*[/!?a-zA-Z]|&#|\b(?:java|vb)script\s*:|\bdata\s*:\s*text/html", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Proposal(msgspec.Struct, frozen=True):
    """A listing as someone would have it: cleaned, normalized, ready to compare or store."""

    name: str
    kind: str
    country: str
    region: str
    city: str
    website: str
    website_domain: str
    description: str
    accounts: dict[str, str]  # platform -> normalized URL, platforms in PLATFORMS order

    def as_fields(self) -> dict[str, Any]:
        """Field name -> value, accounts flattened by platform, for comparing two versions."""
        values = {
            name: getattr(self, name)
            for name in ("name", "kind", "country", "region", "city", "website", "description")
        }
        for key in PLATFORMS:
            values[key] = self.accounts.get(key, "")
        return values


def plain_text(raw: object, field: str, *, multiline: bool = False, required: bool = False) -> str:
    """Trimmed plain text within its limit; whitespace collapsed unless ``multiline``."""
    text = raw if isinstance(raw, str) else ""
    text = text.replace("\r\n", "\n").strip() if multiline else " ".join(text.split())
    label = LABELS[field]
    if len(text) > LIMITS[field]:
        raise errors.text_too_long(field, label, LIMITS[field])
    if _CONTROL.search(text) or _MARKUP.search(text):
        raise errors.markup_not_allowed(field, label)
    if required and not text:
        raise errors.field_required(field, label)
    return text


def region_key(region: str) -> str:
    return " ".join(region.split()).lower()


def _website(raw: object) -> tuple[str, str]:
    """(website, domain): https or http, lower-case host, no query; the domain without ``www.``."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise errors.field_required("website", LABELS["website"])
    if len(text) > LIMITS["website"]:
        raise errors.text_too_long("website", LABELS["website"], LIMITS["website"])
    if text.lower().startswith("http://"):
        text = "https://" + text[7:]  # the domain is what identifies; we link over https
    parts = parse_https(text, "website", LABELS["website"])
    if parts.netloc in KNOWN_HOSTS:
        raise errors.website_invalid("give the organization's own site, not a social media page.")
    path = parts.path.rstrip("/")
    if _MARKUP.search(path):
        raise errors.markup_not_allowed("website", LABELS["website"])
    domain = parts.netloc.removeprefix("www.")
    return f"https://{parts.netloc}{path}", domain


def read_proposal(data: Mapping[str, Any]) -> Proposal:
    """A Proposal from a form or JSON body, or the first thing wrong with it (nothing is stored)."""
    name = plain_text(data.get("name"), "name", required=True)
    kind = data.get("kind")
    if kind not in KINDS:
        raise errors.kind_unknown(list(KINDS))
    country = data.get("country")
    country = country.strip().upper() if isinstance(country, str) else ""
    if country not in COUNTRIES:
        raise errors.country_unknown()
    region = plain_text(data.get("region"), "region")
    city = plain_text(data.get("city"), "city")
    website, domain = _website(data.get("website"))
    description = plain_text(data.get("description"), "description", multiline=True)
    raw_accounts = data.get("accounts") or {}
    if not isinstance(raw_accounts, Mapping):
        raise errors.accounts_required()
    unknown = [str(k) for k in raw_accounts if k not in PLATFORMS]
    if unknown:
        raise errors.platform_unknown(unknown[0], list(PLATFORMS))
    accounts: dict[str, str] = {}
    for key in PLATFORMS:
        raw = raw_accounts.get(key)
        if isinstance(raw, str) and raw.strip():
            accounts[key] = normalize_account(key, raw)
        elif raw not in (None, ""):
            raise errors.url_invalid(f"accounts.{key}", PLATFORMS[key].label)
    if not accounts:
        raise errors.accounts_required()
    return Proposal(name, str(kind), country, region, city, website, domain, description, accounts)


def proposal_from_form(form: Mapping[str, str]) -> Proposal:
    """The HTML form sends one field per platform (``account_x``); gather them as the API shape."""
    accounts = {key: form.get(f"account_{key}", "") for key in PLATFORMS}
    return read_proposal({**form, "accounts": accounts})


def changed_fields(before: Proposal | None, after: Proposal) -> list[str]:
    """Names of the fields that differ (every non-empty field for a new listing)."""
    new = after.as_fields()
    if before is None:
        return [name for name, value in new.items() if value]
    old = before.as_fields()
    return [name for name in new if new[name] != old[name]]
