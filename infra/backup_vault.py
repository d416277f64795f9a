"""The backup vault in another room: WAL streamed synchronously, base backups on a schedule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.health import WAIT_TIMEOUT_S, healthcheck
from infra.joints import Joints
from infra.labels import Placement, network_labels
from infra.rooms import MachineRoom
from infra.secret_files import secret_uploads
from infra.storage_array import TLS_CLIENT_ENV, StorageArray
from infra.topology import ContainerInfo
from infra.volumes import data_volume

SERVICE = "vault"
EXPORT_PORT = 8008


def export_url(prefix: str, room: str) -> str:
    """The vault's read-only HTTPS export on the backup link, where a restore fetches from."""
    return f"https://{vault_host(prefix, room)}:{EXPORT_PORT}"


def vault_host(prefix: str, room: str) -> str:
    """The vault container's name (and host name on the backup link)."""
    return f"{prefix}-vault-{room}"


def backup_link_name(prefix: str) -> str:
    """The Docker name of the backup link."""
    return f"{prefix}-backup-link"


@dataclass(frozen=True)
class BackupLinks:
    """The internal links into the vault's room, one per flow (docs/security.md).

    database: the arrays and the vault (WAL streaming, base backups, and a
    restore's fetch from the vault's export); mail_copy: the mail front end
    and the vault's mail copy (LMTP); mail_restore: the mail stores and the
    mail copy's export (a restore's fetch). No member of one reaches another's.
    """

    database: docker.Network
    mail_copy: docker.Network
    mail_restore: docker.Network


def backup_links(
    room_name: str, room: MachineRoom | None, joints: Joints, stack: str, prefix: str
) -> BackupLinks:
    """The three links, declared on the engine of the vault's planned room (or overlays of the swarm,
    where that room may be lost: None)."""

    def link(resource: str, name: str) -> docker.Network:
        labels = network_labels(stack, room_name, resource)
        provider = room.provider if room else None
        return joints.network(resource, name, labels, owner=provider, parent=room)

    return BackupLinks(
        database=link("backup-link", backup_link_name(prefix)),
        mail_copy=link("mail-copy-link", f"{prefix}-mail-copy-link"),
        mail_restore=link("mail-restore-link", f"{prefix}-mail-restore-link"),
    )


@dataclass(frozen=True)
class BackupVaultArgs:
    """The vault's room, the array it protects, the link, the schedule and the secrets."""

    room: MachineRoom
    array: StorageArray
    link: docker.Network
    image: str
    base_backup_interval_s: int
    secrets: Mapping[str, pulumi.Output[str]]
    stack: str
    prefix: str


class BackupVault(pulumi.ComponentResource):
    """pg_receivewal (synchronous, through a replication slot) and pg_basebackup, on a volume of its room."""

    def __init__(self, name: str, args: BackupVaultArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hospital:backup:BackupVault", name, None, opts)
        room = args.room.spec.name
        self.placement = Placement(args.stack, room, "backup", SERVICE)
        self.host = vault_host(args.prefix, room)
        child = pulumi.ResourceOptions(parent=self, provider=args.room.provider)
        self.volume = data_volume("vault-data", args.prefix, self.placement, child)
        self.container = docker.Container(
            f"vault-{room}",
            name=self.host,
            image=args.image,
            envs=[
                f"PRIMARY_HOST={args.array.host}",
                f"BASE_BACKUP_INTERVAL_S={args.base_backup_interval_s}",
                *TLS_CLIENT_ENV,
            ],
            labels=self.placement.container_labels(),
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=args.link.name)],
            volumes=[docker.ContainerVolumeArgs(volume_name=self.volume.name, container_path="/vault")],
            uploads=secret_uploads(args.secrets),
            healthcheck=healthcheck("python3", "-m", "services.vault.vault", "--check", start_period="45s"),
            restart="unless-stopped",
            wait=True,
            wait_timeout=WAIT_TIMEOUT_S,
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.room.provider, depends_on=[args.array.container]
            ),
        )
        self.register_outputs({"host": self.container.name, "volume": self.volume.name})

    def info(self) -> ContainerInfo:
        """The vault's container as the topology names it."""
        return ContainerInfo(self.host, self.placement.room, "backup", SERVICE)
