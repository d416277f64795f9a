"""The stack's backup key: what the vault encrypts base backups and WAL to, made by `drill up`.

An X25519 key pair in age's own text form (age-encryption.org/v1): the
recipient `age1...` (public) goes to the vault, which encrypts each base
backup and each completed WAL segment to it with Debian's `age`; the
identity `AGE-SECRET-KEY-1...` (private) goes only to what restores the
array, which decrypts. The vault cannot read what it holds, so a copy of
its disk gives no patient data away, bar the WAL segment still being
written (docs/security.md says what covers that).

Made with `cryptography` (the key) and `bech32` (age's encoding of it), no
network; kept in the stack's encrypted config (infra/config.py BACKUP_KEYS)
and never made again: a new key could not read the backups already taken.
"""

from __future__ import annotations

import bech32
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519
from pulumi import automation as auto

from drill.config_batch import ConfigStore
from infra.config import BACKUP_IDENTITY, BACKUP_RECIPIENT

NAMESPACE = "hospital-drp"
RAW = serialization.Encoding.Raw


def _encode(hrp: str, raw: bytes) -> str:
    data = bech32.convertbits(list(raw), 8, 5)
    if data is None:  # convertbits refuses only values out of range, which bytes are not
        raise ValueError("the key did not convert to 5-bit groups")
    return str(bech32.bech32_encode(hrp, data))


def recipient_of(identity: str) -> str:
    """The recipient (`age1...`) of an identity (`AGE-SECRET-KEY-1...`); ValueError when it is none."""
    hrp, data = bech32.bech32_decode(identity.strip().lower())
    raw = bytes(bech32.convertbits(data, 5, 8, False) or []) if data is not None else b""
    if hrp != "age-secret-key-" or len(raw) != 32:
        raise ValueError("not an age X25519 identity (AGE-SECRET-KEY-1...)")
    public = x25519.X25519PrivateKey.from_private_bytes(raw).public_key()
    return _encode("age", public.public_bytes(RAW, serialization.PublicFormat.Raw))


def make_backup_key() -> dict[str, str]:
    """A new key pair, as the config keys and texts ensure_backup_key stores."""
    private = x25519.X25519PrivateKey.generate()
    raw = private.private_bytes(RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    identity = _encode("age-secret-key-", raw).upper()
    return {BACKUP_IDENTITY: identity, BACKUP_RECIPIENT: recipient_of(identity)}


def ensure_backup_key(stack: ConfigStore) -> list[str]:
    """Make the stack's backup key when it has none; return the config keys written.

    A recipient that is missing or does not match the identity is derived
    again; the identity itself is never replaced.
    """
    present = stack.get_all_config()
    identity = present.get(f"{NAMESPACE}:{BACKUP_IDENTITY}")
    recipient = present.get(f"{NAMESPACE}:{BACKUP_RECIPIENT}")
    if identity is None:
        wanted = make_backup_key()
    else:
        wanted = {BACKUP_RECIPIENT: recipient_of(identity.value)}
        if recipient is not None and recipient.value == wanted[BACKUP_RECIPIENT]:
            return []
    for key, text in wanted.items():
        stack.set_config(f"{NAMESPACE}:{key}", auto.ConfigValue(value=text, secret=True))
    return list(wanted)
