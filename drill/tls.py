"""The stack's own certificate authority, and the certificates it issues, made by `drill up`.

Each stack gets a CA of its own (ECDSA P-256, ten years), made here with
`cryptography`, no network, and kept in the stack's encrypted config with the
certificates it issued. The CA's key never leaves drill: containers get
their own certificate and key, and the CA's certificate to verify the others.
A certificate is issued again when it does not name every host it must
(a room added to the stack config) or expires within 30 days.

Stored as PEM text in config keys (infra/config.py TLS_KEYS, and
CA_KEY for drill alone).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pulumi import automation as auto

from drill.config_batch import ConfigStore
from infra.appointments import appointments_host
from infra.backup_vault import vault_host
from infra.config import TLS_CA_CERT, TLS_CA_KEY, TLS_SERVERS
from infra.docker_hosts import LOOPBACK as PUBLISH_IP
from infra.lab import lab_gateway_host
from infra.mail import mail_front_host, mail_vault_host, mailstore_host
from infra.storage_array import array_host

NAMESPACE = "hospital-drp"
CA_DAYS = 3650
LEAF_DAYS = 730
RENEW_DAYS = 30


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key, as PEM text."""

    cert: str
    key: str


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def make_ca(stack: str, now: dt.datetime | None = None) -> Issued:
    """A self-signed CA for stack, allowed to sign server certificates only (path length 0)."""
    now = now or dt.datetime.now(dt.UTC)
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"hospital-drp {stack} CA")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert.public_bytes(serialization.Encoding.PEM).decode(), _pem(key))


def _alternative(name: str) -> x509.GeneralName:
    """A subject alternative name: an IP address for a name that is one (a published 127.0.0.1), else DNS."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def issue(ca: Issued, names: Sequence[str], now: dt.datetime | None = None) -> Issued:
    """A server certificate for names (host names, or addresses), signed by ca."""
    if not names:
        raise ValueError("a server certificate names at least one host")
    now = now or dt.datetime.now(dt.UTC)
    ca_cert = x509.load_pem_x509_certificate(ca.cert.encode())
    ca_key = serialization.load_pem_private_key(ca.key.encode(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError("the stack's CA key is not an EC key")
    key = _key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.SubjectAlternativeName([_alternative(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return Issued(cert.public_bytes(serialization.Encoding.PEM).decode(), _pem(key))


def still_good(cert_pem: str, ca: Issued, names: Sequence[str], now: dt.datetime | None = None) -> bool:
    """Whether cert is signed by ca, names every one of names and is valid for RENEW_DAYS more."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.encode())
        cert.verify_directly_issued_by(x509.load_pem_x509_certificate(ca.cert.encode()))
        alternatives = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    held = {*alternatives.get_values_for_type(x509.DNSName)}
    held |= {str(address) for address in alternatives.get_values_for_type(x509.IPAddress)}
    return set(names) <= held and cert.not_valid_after_utc - now > dt.timedelta(days=RENEW_DAYS)


def fresh_tls(stack: str, servers: dict[str, Sequence[str]]) -> dict[str, str]:
    """A new CA and a certificate per server, as the config keys and PEM texts ensure_tls stores."""
    ca = make_ca(stack)
    made = {TLS_CA_CERT: ca.cert, TLS_CA_KEY: ca.key}
    for server, names in servers.items():
        issued = issue(ca, names)
        made.update(dict(zip(TLS_SERVERS[server], (issued.cert, issued.key), strict=True)))
    return made


def tls_servers(prefix: str, rooms: Sequence[str], published: Sequence[str] = ()) -> dict[str, Sequence[str]]:
    """The TLS servers of a stack (infra/config.py TLS_SERVERS) and the names each answers to,
    wherever a room may hold it: the array, the vault's export, the mail copy (LMTP and its
    export), the mail store (LMTP, and IMAP), the mail front end (SMTP), the appointment app and the
    results API (HTTPS). Users reach the last four at the published addresses (127.0.0.1, and
    each room's across a swarm: published), so their certificates name those as well."""
    addresses = sorted({PUBLISH_IP, *published})
    return {
        "postgres": [array_host(prefix, room) for room in rooms],
        "vault_export": [vault_host(prefix, room) for room in rooms],
        "mail_vault": [mail_vault_host(prefix, room) for room in rooms],
        "mailstore": [*(mailstore_host(prefix, room) for room in rooms), *addresses],
        "mail_front": [*(mail_front_host(prefix, room) for room in rooms), *addresses],
        "appointments": [*(appointments_host(prefix, room) for room in rooms), *addresses],
        "lab_gateway": [*(lab_gateway_host(prefix, room) for room in rooms), *addresses],
    }


def ensure_tls(stack: ConfigStore, servers: dict[str, Sequence[str]]) -> list[str]:
    """Make the stack's CA if it has none, and each server's certificate (servers: its config
    prefix, e.g. `postgres`, and the host names it answers to) that is missing or no longer
    good; return the config keys written."""
    present = stack.get_all_config()

    def value(key: str) -> str:
        found = present.get(f"{NAMESPACE}:{key}")
        return found.value if found is not None else ""

    def store(key: str, text: str) -> None:
        stack.set_config(f"{NAMESPACE}:{key}", auto.ConfigValue(value=text, secret=True))
        made.append(key)

    made: list[str] = []
    ca = Issued(value(TLS_CA_CERT), value(TLS_CA_KEY))
    new_ca = not ca.cert or not ca.key
    if new_ca:
        ca = make_ca(stack.name)
        store(TLS_CA_CERT, ca.cert)
        store(TLS_CA_KEY, ca.key)
    for server, names in servers.items():
        cert_key, key_key = TLS_SERVERS[server]
        if new_ca or not value(key_key) or not still_good(value(cert_key), ca, names):
            issued = issue(ca, names)
            store(cert_key, issued.cert)
            store(key_key, issued.key)
    return made
