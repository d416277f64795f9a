"""One password per mailbox, derived from the stack's key; the mail stores get only their hashes.

Each mailbox's password is HMAC-SHA256(key, address), so no two mailboxes
share one and no list of passwords is kept anywhere: whoever needs a
mailbox's password (the workload, acting as the staff; the recovery plan's
mail check, for one mailbox) derives it from the key, which only drill holds.
No container holds the key or any password: each mail store gets a passdb
(Dovecot's passwd-file) with a salted SHA-512 hash per mailbox, `{SSHA512}`.
The salt is derived from the key too, so the passdb is the same at every
deploy and `drill up` finds nothing to change.

SSHA512 and not a slow hash (SHA512-CRYPT, ARGON2): the passwords are 256-bit
random values, so a stolen passdb gives nothing to a dictionary or a brute
force, and 3,000 hashes stay cheap at every deploy and every login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

SCHEME = "{SSHA512}"
SALT_BYTES = 16


def mailbox_password(key: str, address: str) -> str:
    """The password of the mailbox at address (43 URL-safe characters)."""
    digest = hmac.new(key.encode(), f"password:{address}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hashed(password: str, salt: bytes) -> str:
    """Dovecot's {SSHA512}: base64 of SHA-512(password + salt) followed by the salt."""
    digest = hashlib.sha512(password.encode() + salt).digest()
    return SCHEME + base64.b64encode(digest + salt).decode()


def matches(entry: str, password: str) -> bool:
    """Whether password opens a passdb entry's {SSHA512} hash."""
    if not entry.startswith(SCHEME):
        return False
    raw = base64.b64decode(entry[len(SCHEME) :])
    digest, salt = raw[:64], raw[64:]
    return hmac.compare_digest(hashlib.sha512(password.encode() + salt).digest(), digest)


def passdb(key: str, addresses: Iterable[str]) -> str:
    """Dovecot passwd-file lines `address:{SSHA512}hash`, one per mailbox, in the order given."""
    lines = []
    for address in addresses:
        salt = hmac.new(key.encode(), f"salt:{address}".encode(), hashlib.sha256).digest()[:SALT_BYTES]
        lines.append(f"{address}:{hashed(mailbox_password(key, address), salt)}\n")
    return "".join(lines)


def mailbox_address(domain: str, number: int) -> str:
    """The address of mailbox number (1-based) of domain."""
    return f"staff{number:04d}@{domain}"


def mailboxes(domain: str, count: int) -> list[str]:
    """The addresses of a store's mailboxes: staff0001@domain to staffNNNN@domain."""
    return [mailbox_address(domain, n) for n in range(1, count + 1)]
