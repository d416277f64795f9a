"""Mail with real clients from the host: SMTP in, IMAP out, and a mail store that goes away."""

from __future__ import annotations

import email.message
import imaplib
import random
import smtplib
import ssl
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest
import testinfra

from drill.tls import make_ca
from tests.integration.conftest import Deployed
from tests.integration.engine import client, listens_only_on, servers, wait_healthy


def address(deployed: Deployed, endpoint: str) -> tuple[str, int]:
    parsed = urlparse(deployed.topology.service("mail").endpoint(endpoint))
    assert parsed.hostname == "127.0.0.1" and parsed.port
    return parsed.hostname, parsed.port


def tls(deployed: Deployed) -> ssl.SSLContext:
    """What a user's client trusts: the stack's CA."""
    return ssl.create_default_context(cadata=deployed.secret("tls_ca_cert"))


def imap(deployed: Deployed, timeout: float = 10) -> imaplib.IMAP4:
    """An IMAP session through the proxy, as a user's client opens it: STARTTLS, checked."""
    session = imaplib.IMAP4(*address(deployed, "imap"), timeout=timeout)
    session.starttls(ssl_context=tls(deployed))
    return session


def send(deployed: Deployed, to: str) -> str:
    message_id = f"<{uuid.uuid4()}@tests.chu.test>"
    message = email.message.EmailMessage()
    message["From"], message["To"], message["Subject"] = "staff0002@chu.test", to, "ward round"
    message["Message-ID"] = message_id
    message.set_content("Round at 8.")
    with smtplib.SMTP(*address(deployed, "smtp"), timeout=10) as smtp:
        smtp.starttls(context=tls(deployed))
        assert smtp.send_message(message) == {}
    return message_id


def in_inbox(deployed: Deployed, user: str, message_id: str) -> bool:
    session = imap(deployed)
    try:
        session.login(user, deployed.mail_password(user))
        session.select("INBOX", readonly=True)
        _, found = session.search(None, "HEADER", "Message-ID", message_id)
        return bool(found and found[0])
    finally:
        session.logout()


def wait_in_inbox(deployed: Deployed, user: str, message_id: str, timeout_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            if in_inbox(deployed, user, message_id):
                return time.monotonic() - started
        except (OSError, imaplib.IMAP4.error):
            pass
        time.sleep(1)
    raise AssertionError(f"{message_id} not in {user}'s inbox within {timeout_s} s")


def container(deployed: Deployed, tier: str) -> str:
    return next(c.name for c in deployed.topology.service("mail").containers if c.tier == tier)


def in_vault_copy(deployed: Deployed, user: str, message_id: str) -> bool:
    copy = testinfra.get_host(f"docker://{container(deployed, 'backup')}")
    vault_user = user.replace("@", "@vault.")
    found = copy.run(
        f"doveadm search -u {vault_user} mailbox INBOX header message-id {message_id.strip('<>')}"
    )
    return found.rc == 0 and bool(found.stdout.strip())


def test_smtp_then_imap_round_trip_and_the_vault_copy(deployed: Deployed) -> None:
    message_id = send(deployed, "staff2999@chu.test")
    wait_in_inbox(deployed, "staff2999@chu.test", message_id, timeout_s=20)
    assert in_vault_copy(deployed, "staff2999@chu.test", message_id)
    copy = next(c for c in deployed.topology.service("mail").containers if c.tier == "backup")
    assert copy.room == "bellevue"


def test_unknown_user_and_foreign_domain_are_refused_at_rcpt(deployed: Deployed) -> None:
    with smtplib.SMTP(*address(deployed, "smtp"), timeout=10) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as unknown:
            smtp.sendmail("a@chu.test", ["staff3001@chu.test"], "Subject: x\r\n\r\nx")
        assert unknown.value.recipients["staff3001@chu.test"][0] == 550
        with pytest.raises(smtplib.SMTPRecipientsRefused) as relay:
            smtp.sendmail("a@chu.test", ["someone@example.org"], "Subject: x\r\n\r\nx")
        assert b"Relay access denied" in relay.value.recipients["someone@example.org"][1]


def test_wrong_password_is_refused_by_imap(deployed: Deployed) -> None:
    session = imap(deployed)
    with pytest.raises(imaplib.IMAP4.error):
        session.login("staff0001@chu.test", "not-the-password")
    session.logout()


def test_imap_takes_no_login_before_starttls(deployed: Deployed) -> None:
    """Even the right password is refused in plaintext, before it can be read off the wire."""
    user = deployed.topology.mail.mailbox(2)
    plain = imaplib.IMAP4(*address(deployed, "imap"), timeout=10)
    try:
        assert "STARTTLS" in plain.capabilities and "LOGINDISABLED" in plain.capabilities
        with pytest.raises(imaplib.IMAP4.error, match=r"(?i)plaintext|disallowed|privacy"):
            plain.login(user, deployed.mail_password(user))
    finally:
        plain.shutdown()
    session = imap(deployed)
    try:
        assert session.login(user, deployed.mail_password(user))[0] == "OK"
    finally:
        session.logout()


@pytest.mark.parametrize("endpoint", ["smtp", "imap"])
def test_a_client_trusting_another_ca_refuses_the_mail_servers(deployed: Deployed, endpoint: str) -> None:
    other = ssl.create_default_context(cadata=make_ca("another").cert)
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        if endpoint == "smtp":
            with smtplib.SMTP(*address(deployed, "smtp"), timeout=10) as smtp:
                smtp.starttls(context=other)
        else:
            imaplib.IMAP4(*address(deployed, "imap"), timeout=10).starttls(ssl_context=other)


def test_every_lmtp_delivery_is_tls_verified_for_its_next_hop(deployed: Deployed) -> None:
    """Postfix to the store, and (the bcc queue) to the vault's copy, say so in their log; the
    copy filter's own LMTP to the vault is TLS checked as well, or the message would not be in it."""
    front = client().containers.get(container(deployed, "app"))
    since = int(time.time()) - 1
    message_id = send(deployed, "staff0007@chu.test")
    wait_in_inbox(deployed, "staff0007@chu.test", message_id, timeout_s=20)
    assert in_vault_copy(deployed, "staff0007@chu.test", message_id)
    logged = front.logs(since=since).decode()
    store = container(deployed, "storage")
    assert f"Verified TLS connection established to {store}" in logged, logged[-2000:]
    assert "in the vault's copy" in logged, logged[-2000:]  # the filter's copy, made over its TLS


def imap_login(deployed: Deployed, user: str, password: str) -> bool:
    """Whether IMAP (through the proxy, as a user's client) lets user in with password.

    Dovecot delays the answer to each failed login from one address more than the
    last (up to 15 s), until a login from it succeeds; every login here comes from
    the proxy's address: hence the long timeout, and a good login after each bad one.
    """
    session = imap(deployed, timeout=30)
    try:
        session.login(user, password)
    except imaplib.IMAP4.error:
        return False
    finally:
        session.logout()
    return True


def test_a_mailbox_password_opens_its_own_mailbox_and_no_other(deployed: Deployed) -> None:
    mail = deployed.topology.mail
    rng = random.Random()
    numbers = sorted({1, mail.mailboxes, rng.randrange(2, mail.mailboxes)})
    users = [mail.mailbox(n) for n in numbers]
    vault_twin = users[0].replace(f"@{mail.domain}", f"@vault.{mail.domain}")
    wrong = [(user, deployed.mail_password(users[(i + 1) % len(users)])) for i, user in enumerate(users)]
    # Neither the key the passwords derive from nor another domain's password opens a mailbox.
    wrong += [
        (users[0], deployed.secret("mail_password_key")),
        (users[0], deployed.mail_password(vault_twin)),
    ]
    tries = [(user, password, False) for user, password in wrong]
    tries += [(user, deployed.mail_password(user), True) for user in users]
    # All at once: Dovecot holds each refused login for its auth_failure_delay (2 s).
    with ThreadPoolExecutor(len(tries)) as pool:
        opened = list(pool.map(lambda t: imap_login(deployed, t[0], t[1]), tries))
    for (user, _, own), did in zip(tries, opened, strict=True):
        assert did is own, (user, "refused its own password" if own else "opened with another's password")


def test_the_mail_stores_hold_hashes_and_no_password(deployed: Deployed) -> None:
    mail = deployed.topology.mail
    for tier in ("storage", "backup"):
        name = container(deployed, tier)
        store = testinfra.get_host(f"docker://{name}")
        passdb = store.file("/etc/dovecot/users").content_string
        assert passdb.count("{SSHA512}") == mail.mailboxes
        assert not store.file("/run/secrets/mail_user_password").exists
        assert "/run/secrets/mail_password_key" not in store.check_output("ls /run/secrets")
        sample = mail.mailbox(1 + random.randrange(mail.mailboxes))
        if tier == "backup":
            sample = sample.replace(f"@{mail.domain}", f"@vault.{mail.domain}")
        assert deployed.mail_password(sample) not in passdb
        # Dovecot itself, not our reading of its format, says the hash is the password's.
        test = store.run(
            "doveadm auth test -- %s %s", sample, deployed.mail_password(sample)
        )  # a password may begin with -
        assert test.rc == 0 and "auth succeeded" in test.stdout, test.stdout + test.stderr


def test_3000_mailboxes_and_the_queue_on_its_own_volume(deployed: Deployed) -> None:
    store = testinfra.get_host(f"docker://{container(deployed, 'storage')}")
    assert store.package("dovecot-imapd").is_installed
    assert len(store.file("/etc/dovecot/users").content_string.splitlines()) == 3000
    # LMTP on the SAN's LMTP part only, IMAP on its IMAP part only (the flow policy).
    name = container(deployed, "storage")
    networks = client().containers.get(name).attrs["NetworkSettings"]["Networks"]
    san = next(r.san_network for r in deployed.topology.rooms if f"{r.san_network}-lmtp" in networks)
    listens_only_on(store, name, 24, [f"{san}-lmtp"])
    listens_only_on(store, name, 143, [f"{san}-imap"])
    front = testinfra.get_host(f"docker://{container(deployed, 'app')}")
    assert front.package("postfix").is_installed
    assert {p.user for p in front.process.filter(comm="qmgr")} == {"postfix"}
    assert "lmtp:inet:" in front.check_output("postconf -h virtual_transport")
    mounts = {
        name: {m["Destination"]: m["Name"] for m in client().containers.get(name).attrs["Mounts"]}
        for name in (container(deployed, "storage"), container(deployed, "app"))
    }
    store_volume = mounts[container(deployed, "storage")]["/var/mail"]
    queue_volume = mounts[container(deployed, "app")]["/var/spool/postfix"]
    assert store_volume != queue_volume


def test_store_down_smtp_queues_imap_fails_then_queue_drains(deployed: Deployed) -> None:
    store = container(deployed, "storage")
    client().containers.get(store).stop(timeout=1)
    try:
        message_id = send(deployed, "staff0100@chu.test")  # accepted while the store is away
        with pytest.raises((OSError, imaplib.IMAP4.error)):
            in_inbox(deployed, "staff0100@chu.test", message_id)
        front = testinfra.get_host(f"docker://{container(deployed, 'app')}")
        assert "staff0100@chu.test" in front.check_output("postqueue -p")
        deadline = time.monotonic() + 20
        while not in_vault_copy(deployed, "staff0100@chu.test", message_id):
            assert time.monotonic() < deadline, (
                "the vault copy did not get the message while the store was away"
            )
            time.sleep(1)
    finally:
        client().containers.get(store).start()
    wait_healthy(store)
    assert wait_in_inbox(deployed, "staff0100@chu.test", message_id, timeout_s=60) < 60


def test_an_accepted_message_is_in_the_vault_copy_before_250_with_the_front_frozen_at_once(
    deployed: Deployed,
) -> None:
    """The 250 itself is the proof: the front is frozen the instant it answers, so nothing it
    does afterwards (its queue, its deliveries) can have put the message in the vault."""
    front = client().containers.get(container(deployed, "app"))
    message_id = f"<{uuid.uuid4()}@tests.chu.test>"
    body = (
        f"From: a@chu.test\r\nTo: staff0200@chu.test\r\nMessage-ID: {message_id}\r\nSubject: x\r\n\r\nx\r\n"
    )
    smtp = smtplib.SMTP(*address(deployed, "smtp"), timeout=10)
    smtp.ehlo()
    smtp.mail("a@chu.test")
    smtp.rcpt("staff0200@chu.test")
    code, _ = smtp.data(body)
    front.pause()
    smtp.close()  # no QUIT: the front is frozen
    try:
        assert code == 250
        assert in_vault_copy(deployed, "staff0200@chu.test", message_id)
    finally:
        front.unpause()
    wait_in_inbox(deployed, "staff0200@chu.test", message_id, timeout_s=30)
    copies = testinfra.get_host(f"docker://{container(deployed, 'backup')}").check_output(
        f"doveadm search -u staff0200@vault.chu.test mailbox INBOX header message-id {message_id.strip('<>')}"
    )
    assert len(copies.splitlines()) == 1  # copied before the queue, not a second time by the bcc


def test_with_the_vault_away_mail_is_still_accepted_and_copied_once_it_is_back(deployed: Deployed) -> None:
    copy = client().containers.get(container(deployed, "backup"))
    copy.stop(timeout=1)
    try:
        message_id = send(deployed, "staff0201@chu.test")  # a plain SMTP client, as any other
        wait_in_inbox(deployed, "staff0201@chu.test", message_id, timeout_s=30)
    finally:
        copy.start()
    wait_healthy(copy.name)
    deadline = time.monotonic() + 60
    while not in_vault_copy(deployed, "staff0201@chu.test", message_id):
        assert time.monotonic() < deadline, "the vault copy never got the message once it was back"
        time.sleep(1)


def test_the_copy_filter_runs_unprivileged_beside_postfix(deployed: Deployed) -> None:
    front = testinfra.get_host(f"docker://{container(deployed, 'app')}")
    filters = servers(front, "services.mail_front.mail_copy")
    assert len(filters) == 1 and filters[0].user == "mailcopy"
    assert front.socket("tcp://127.0.0.1:10025").is_listening
    assert not front.socket("tcp://0.0.0.0:10025").is_listening
