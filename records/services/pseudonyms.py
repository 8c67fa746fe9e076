"""The stable names an anonymized person goes by, derived from the secret key and their id.

The same person always gets the same pseudonym (an erasure repeated, a row found
later, a second process), and nobody without the key can recover the id from it;
the id itself stays in the rows, so counts, sums and links are unchanged.
"""

from __future__ import annotations

import hashlib
import hmac

from grandrounds.settings import get_settings

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never delivers anywhere
NAME_PREFIX = "Former participant"


def _digest(person_id: int) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"grandrounds:person:{person_id}".encode(), hashlib.sha256).hexdigest()


def pseudonym(person_id: int) -> str:
    """``Former participant 3f9a1c``: what the person is called wherever their name was."""
    return f"{NAME_PREFIX} {_digest(person_id)[:6]}"


def erased_email(person_id: int) -> str:
    """``erased-<hex>@erased.invalid``: unique per person (emails are unique), delivers nowhere."""
    return f"erased-{_digest(person_id)[:20]}@{ERASED_DOMAIN}"


def is_erased_email(email: str) -> bool:
    return email.endswith("@" + ERASED_DOMAIN)
