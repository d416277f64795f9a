"""The stack's backup key (drill/backup_key.py): age's text form of an X25519 pair, made once.

That Debian's `age` really encrypts to the recipient and opens with the
identity is proved against the real tool in tests/integration/test_backups_at_rest.py.
"""

from __future__ import annotations

import bech32
import pytest
from pulumi import automation as auto

from drill.backup_key import NAMESPACE, ensure_backup_key, make_backup_key, recipient_of
from infra.config import BACKUP_IDENTITY, BACKUP_RECIPIENT
from tests.unit.test_secrets import FakeStack

# RFC 7748, section 6.1: Alice's private scalar and the public key it gives.
RFC7748_PRIVATE = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
RFC7748_PUBLIC = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")


def encoded(hrp: str, raw: bytes) -> str:
    return str(bech32.bech32_encode(hrp, bech32.convertbits(list(raw), 8, 5) or []))


def decoded(text: str) -> tuple[str, bytes]:
    hrp, data = bech32.bech32_decode(text.lower())
    assert data is not None, f"{text} is not valid bech32"
    return str(hrp), bytes(bech32.convertbits(data, 5, 8, False) or [])


def test_the_recipient_is_the_public_key_of_the_identity() -> None:
    identity = encoded("age-secret-key-", RFC7748_PRIVATE).upper()
    assert decoded(recipient_of(identity)) == ("age", RFC7748_PUBLIC)
    assert recipient_of(f"  {identity.lower()}\n") == recipient_of(identity)


def test_a_new_key_is_in_ages_text_form_and_never_the_same() -> None:
    keys = [make_backup_key() for _ in range(20)]
    for key in keys:
        identity, recipient = key[BACKUP_IDENTITY], key[BACKUP_RECIPIENT]
        assert identity.startswith("AGE-SECRET-KEY-1") and identity == identity.upper()
        assert recipient.startswith("age1") and len(recipient) == 62
        assert decoded(identity)[0] == "age-secret-key-" and len(decoded(identity)[1]) == 32
        assert recipient_of(identity) == recipient
    assert len({key[BACKUP_IDENTITY] for key in keys}) == 20


@pytest.mark.parametrize(
    "text",
    [
        "",
        "age1qqqq",  # a recipient, not an identity
        encoded("age", RFC7748_PRIVATE),  # the right length under another name
        encoded("age-secret-key-", RFC7748_PRIVATE[:31]).upper(),  # one byte short
        encoded("age-secret-key-", RFC7748_PRIVATE).upper()[:-1] + "Q",  # a checksum that fails
    ],
)
def test_what_is_not_an_identity_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an age X25519 identity"):
        recipient_of(text)


def test_the_key_is_made_once_and_its_recipient_mended() -> None:
    stack = FakeStack({})
    assert sorted(ensure_backup_key(stack)) == sorted([BACKUP_IDENTITY, BACKUP_RECIPIENT])
    identity = stack.config[f"{NAMESPACE}:{BACKUP_IDENTITY}"]
    recipient = stack.config[f"{NAMESPACE}:{BACKUP_RECIPIENT}"]
    assert identity.secret and recipient.secret
    assert ensure_backup_key(stack) == []
    # A recipient lost or changed by hand is derived again; the identity is kept: a new one
    # could not open the backups the vault already sealed.
    stack.config[f"{NAMESPACE}:{BACKUP_RECIPIENT}"] = auto.ConfigValue(value="age1wrong", secret=True)
    assert ensure_backup_key(stack) == [BACKUP_RECIPIENT]
    del stack.config[f"{NAMESPACE}:{BACKUP_RECIPIENT}"]
    assert ensure_backup_key(stack) == [BACKUP_RECIPIENT]
    assert stack.config[f"{NAMESPACE}:{BACKUP_IDENTITY}"] is identity
    assert stack.config[f"{NAMESPACE}:{BACKUP_RECIPIENT}"].value == recipient.value
