"""One password per mailbox, derived from the stack's key; the passdb holds only their salted hashes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.mail_passwords import mailbox_password, mailboxes, matches, passdb

KEY = "a-stack-key-for-the-unit-tests-000"


@pytest.mark.parametrize("domain", ["chu.test", "vault.chu.test", "hopital.example"])
@pytest.mark.parametrize("count", [1, 7, 300])
def test_every_mailbox_has_its_own_password_and_only_its_hash(domain: str, count: int) -> None:
    addresses = mailboxes(domain, count)
    passwords = {a: mailbox_password(KEY, a) for a in addresses}
    assert len(set(passwords.values())) == count
    lines = passdb(KEY, addresses).splitlines()
    assert [line.split(":", 1)[0] for line in lines] == addresses
    entries = dict(line.split(":", 1) for line in lines)
    for address, entry in entries.items():
        assert matches(entry, passwords[address])
        assert passwords[address] not in entry and KEY not in entry
    # A mailbox's password opens no other mailbox.
    first, *others = addresses
    assert not any(matches(entries[other], passwords[first]) for other in others)


def test_the_passdb_is_the_same_at_every_deploy_and_changes_with_the_key() -> None:
    addresses = mailboxes("chu.test", 20)
    assert passdb(KEY, addresses) == passdb(KEY, addresses)
    other = passdb(KEY + "x", addresses)
    assert other != passdb(KEY, addresses)
    assert not any(
        matches(line.split(":", 1)[1], mailbox_password(KEY, line.split(":", 1)[0]))
        for line in other.splitlines()
    )


@given(key=st.text(min_size=16, max_size=64), address=st.emails())
def test_a_password_opens_its_hash_and_a_near_miss_does_not(key: str, address: str) -> None:
    password = mailbox_password(key, address)
    [line] = passdb(key, [address]).splitlines()
    entry = line.removeprefix(f"{address}:")
    assert matches(entry, password)
    assert not matches(entry, password[:-1])
    assert not matches(entry, password + "a")
    assert not matches("{PLAIN}" + password, password)


def test_the_same_mailbox_of_another_domain_has_another_password() -> None:
    assert mailbox_password(KEY, "staff0001@chu.test") != mailbox_password(KEY, "staff0001@vault.chu.test")
