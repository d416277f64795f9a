"""The flows the stack allows: who may open a connection to whom, on which port, and why.

The one statement of least privilege for the replica (docs/security.md).
A flow names its source and destination by service and tier, the labels
every container carries, so it holds wherever the recovery plan places a
part. The source ACCESS is the users' network: every service published
there is offered to every device on it (a container on it is as much a
user as a workstation, and the host publishes the same ports on 127.0.0.1).
tests/integration/test_flows.py probes, from every container's network
namespace, every listening port of every other container, and fails on a
connection that works and is not declared here, or one declared that fails.
"""

from __future__ import annotations

from infra.appointments import APP_PORT as BOOKING_PORT
from infra.backup_vault import EXPORT_PORT
from infra.haproxy import LISTEN_PORT as BALANCER_PORT
from infra.intranet import APP_PORT as REPLICA_PORT
from infra.lab import API_PORT, MLLP_PORT, MLLPS_PORT
from infra.mail import IMAP_PORT, LMTP_PORT, PROXY_PORT, SMTP_PORT
from infra.storage_array import POSTGRES_PORT
from infra.topology import FlowInfo

ACCESS = "access"  # the source that means: any container on the access network


def _flow(source: str, destination: str, port: int, protocol: str, why: str) -> FlowInfo:
    """A flow from `service/tier` (or ACCESS) to `service/tier`."""
    source_service, _, source_tier = source.partition("/")
    service, _, tier = destination.partition("/")
    return FlowInfo(source_service, source_tier, service, tier, port, protocol, why)


FLOWS = (
    _flow("appointments/app", "storage/storage", POSTGRES_PORT, "postgresql + tls", "bookings, over the SAN"),
    _flow("lab/app", "storage/storage", POSTGRES_PORT, "postgresql + tls", "results delivered, over the SAN"),
    _flow(
        "vault/backup",
        "storage/storage",
        POSTGRES_PORT,
        "postgresql replication + tls",
        "WAL streaming and base backups",
    ),
    _flow(
        "storage/storage", "vault/backup", EXPORT_PORT, "https + token", "a restore fetches from the vault"
    ),
    _flow("mail/app", "mail/storage", LMTP_PORT, "lmtp + starttls", "Postfix delivers to the mail store"),
    _flow(
        "mail/edge", "mail/storage", IMAP_PORT, "imap + starttls", "the IMAP proxy relays the users' sessions"
    ),
    _flow(
        "mail/app",
        "mail/backup",
        LMTP_PORT,
        "lmtp + starttls",
        "every message copied to the vault before 250",
    ),
    _flow("mail/storage", "mail/backup", EXPORT_PORT, "https + token", "a mail store restores from the copy"),
    _flow(
        "lab/lab",
        "lab/app",
        MLLP_PORT,
        "hl7 mllp, plain",
        "the analysers send their results (most cannot do TLS)",
    ),
    _flow("intranet/edge", "intranet/app", REPLICA_PORT, "http", "the balancers reach every replica"),
    _flow(ACCESS, "appointments/app", BOOKING_PORT, "https", "users book appointments"),
    _flow(ACCESS, "lab/app", API_PORT, "https", "clinicians read results"),
    _flow(ACCESS, "lab/app", MLLPS_PORT, "hl7 mllp + tls", "instruments outside the platform send results"),
    _flow(ACCESS, "mail/app", SMTP_PORT, "smtp, starttls offered", "mail comes in"),
    _flow(ACCESS, "mail/edge", PROXY_PORT, "imap + starttls", "users read their mail"),
    _flow(ACCESS, "intranet/edge", BALANCER_PORT, "http", "users read the intranet"),
)
