"""The stack's own CA: a server certificate it issues verifies for the names it holds, and no other."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from pathlib import Path

import pytest
from cryptography import x509

from drill.tls import NAMESPACE, RENEW_DAYS, ensure_tls, issue, make_ca, still_good, tls_servers
from infra.config import TLS_CA_CERT, TLS_CA_KEY, TLS_SERVERS
from tests.unit.test_secrets import FakeStack

NAMES = ["hdrp-x-postgres-nord-1", "hdrp-x-postgres-nord-2", "hdrp-x-postgres-bellevue"]


def handshake(tmp_path: Path, ca_pem: str, server_cert: str, server_key: str, name: str) -> None:
    """A real TLS handshake on 127.0.0.1: the client checks the server's certificate for name."""
    (tmp_path / "ca.pem").write_text(ca_pem)
    (tmp_path / "cert.pem").write_text(server_cert)
    (tmp_path / "key.pem").write_text(server_key)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def accept() -> None:
            conn, _ = listener.accept()
            try:
                with server.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (ssl.SSLError, OSError):
                pass

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        with socket.create_connection(("127.0.0.1", port)) as raw:
            try:
                with client.wrap_socket(raw, server_hostname=name) as tls:
                    tls.sendall(b"x")
            finally:
                thread.join(5)


@pytest.mark.parametrize("name", NAMES)
def test_a_server_certificate_verifies_for_each_of_its_names(tmp_path: Path, name: str) -> None:
    ca = make_ca("x")
    server = issue(ca, NAMES)
    handshake(tmp_path, ca.cert, server.cert, server.key, name)


def test_a_published_address_is_named_as_an_address_and_verifies_as_one(tmp_path: Path) -> None:
    """The mail servers' certificates name 127.0.0.1, where users reach them: as an IP address
    (a client checking 127.0.0.1 never matches a DNS name "127.0.0.1"), and no other address."""
    ca = make_ca("x")
    server = issue(ca, [NAMES[0], "127.0.0.1"])
    handshake(tmp_path, ca.cert, server.cert, server.key, "127.0.0.1")
    with pytest.raises(ssl.SSLCertVerificationError, match="IP address mismatch"):
        handshake(tmp_path, ca.cert, server.cert, server.key, "127.0.0.2")
    assert still_good(server.cert, ca, [NAMES[0], "127.0.0.1"])
    assert not still_good(server.cert, ca, [NAMES[0], "127.0.0.2"])


def test_another_name_or_another_ca_is_refused(tmp_path: Path) -> None:
    ca, other = make_ca("x"), make_ca("y")
    server = issue(ca, NAMES)
    with pytest.raises(ssl.SSLCertVerificationError, match=r"Hostname mismatch|doesn't match"):
        handshake(tmp_path, ca.cert, server.cert, server.key, "hdrp-x-postgres-elsewhere")
    with pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"):
        handshake(tmp_path, other.cert, server.cert, server.key, NAMES[0])
    # The CA signs servers, not other CAs; the server's certificate is no CA.
    cert = x509.load_pem_x509_certificate(server.cert.encode())
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    root = x509.load_pem_x509_certificate(ca.cert.encode())
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0


def test_a_certificate_is_good_while_it_names_every_host_and_is_far_from_expiry() -> None:
    ca = make_ca("x")
    server = issue(ca, NAMES[:2])
    assert still_good(server.cert, ca, NAMES[:2])
    assert not still_good(server.cert, ca, NAMES)  # a room added: a name missing
    assert not still_good(server.cert, make_ca("x"), NAMES[:2])  # another CA's
    late = dt.datetime.now(dt.UTC) + dt.timedelta(days=730 - RENEW_DAYS + 1)
    assert not still_good(server.cert, ca, NAMES[:2], now=late)
    assert not still_good("not a certificate", ca, NAMES[:2])


def test_drill_up_makes_the_ca_once_and_issues_again_only_when_needed() -> None:
    stack = FakeStack({})
    stack.name = "x"
    servers = tls_servers("hdrp-x", ["nord-1", "nord-2"])
    made = ensure_tls(stack, servers)
    every = [key for server in servers for key in TLS_SERVERS[server]]
    assert set(servers) == set(TLS_SERVERS)
    assert made == [TLS_CA_CERT, TLS_CA_KEY, *every]
    assert all(stack.config[f"{NAMESPACE}:{k}"].secret for k in made)
    before = {k: v.value for k, v in stack.config.items()}
    assert ensure_tls(stack, servers) == []
    grown = tls_servers("hdrp-x", ["nord-1", "nord-2", "bellevue"])
    assert ensure_tls(stack, grown) == every  # every server may stand in the new room
    cert_key = TLS_SERVERS["postgres"][0]
    assert stack.config[f"{NAMESPACE}:{TLS_CA_CERT}"].value == before[f"{NAMESPACE}:{TLS_CA_CERT}"]
    assert stack.config[f"{NAMESPACE}:{cert_key}"].value != before[f"{NAMESPACE}:{cert_key}"]
