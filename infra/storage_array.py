"""A room's storage array: PostgreSQL on its SAN, its data on a named volume.

Reachable only over the room's SAN network (app servers) and the backup
link (the vault's WAL receiver). Every commit waits for the vault.
An array re-created by the recovery plan starts from the vault's copy
(restore_from: the vault's HTTP export on the backup link).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.health import WAIT_TIMEOUT_S, healthcheck
from infra.labels import Placement
from infra.rooms import MachineRoom
from infra.secret_files import secret_uploads
from infra.topology import ContainerInfo
from infra.volumes import data_volume

POSTGRES_PORT = 5432
DATA_PATH = "/var/lib/postgresql/data"
SERVICE = "storage"
# What every client of the array sets (libpq reads them): TLS, the server's name checked
# against the certificate the stack's CA issued it (drill/tls.py); no client certificate
# (libpq would look for one in ~/.postgresql, which a service user may not read).
TLS_CLIENT_ENV = [
    "PGSSLMODE=verify-full",
    "PGSSLROOTCERT=/run/secrets/tls_ca_cert",
    "PGSSLCERT=/run/secrets/no-client-certificate",
]


def array_host(prefix: str, room: str) -> str:
    """The array's container name (and host name on its SAN and the backup link) in room."""
    return f"{prefix}-postgres-{room}"


@dataclass(frozen=True)
class StorageArrayArgs:
    """The room, the link the vault streams over, the image and the secrets."""

    room: MachineRoom
    backup_link: docker.Network
    image: str
    secrets: Mapping[str, pulumi.Output[str]]
    stack: str
    prefix: str
    synchronous_standby: str = "vault"
    restore_from: str = ""
    without_partial: bool = False
    link: docker.Network | None = None  # its SAN stretched to servers of other rooms (infra/san_links.py)


class StorageArray(pulumi.ComponentResource):
    """PostgreSQL 15 holding the appointments and lab-results databases."""

    TYPE = "hospital:storage:StorageArray"

    @staticmethod
    def resources(room: str) -> list[tuple[str, str]]:
        """(type chain, name) of the array in room and what it holds: what a targeted run deploys."""
        array = StorageArray.TYPE
        return [
            (array, f"storage-{room}"),
            (f"{array}$docker:index/volume:Volume", f"postgres-data-{room}"),
            (f"{array}$docker:index/container:Container", f"postgres-{room}"),
        ]

    def __init__(self, name: str, args: StorageArrayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        room = args.room.spec.name
        self.room = args.room
        self.placement = Placement(args.stack, room, "storage", SERVICE)
        self.host = array_host(args.prefix, room)
        child = pulumi.ResourceOptions(parent=self, provider=args.room.provider)
        self.volume = data_volume("postgres-data", args.prefix, self.placement, child)
        self.container = docker.Container(
            f"postgres-{room}",
            name=self.host,
            image=args.image,
            envs=self._env(args),
            labels=self.placement.container_labels(),
            networks_advanced=[
                docker.ContainerNetworksAdvancedArgs(name=args.room.san_network.name),
                docker.ContainerNetworksAdvancedArgs(name=args.backup_link.name),
                *([docker.ContainerNetworksAdvancedArgs(name=args.link.name)] if args.link else []),
            ],
            volumes=[docker.ContainerVolumeArgs(volume_name=self.volume.name, container_path=DATA_PATH)],
            uploads=secret_uploads(args.secrets),
            healthcheck=healthcheck("pg_isready", "--quiet", "--host", "127.0.0.1"),
            shm_size=128,
            restart="unless-stopped",
            wait=True,
            wait_timeout=WAIT_TIMEOUT_S,
            opts=child,
        )
        self.register_outputs({"host": self.container.name, "volume": self.volume.name})

    @staticmethod
    def _env(args: StorageArrayArgs) -> list[str]:
        env = [f"SYNCHRONOUS_STANDBY={args.synchronous_standby}"]
        if args.restore_from:
            env.append(f"RESTORE_FROM={args.restore_from}")
        if args.without_partial:
            env.append("RESTORE_WITHOUT_PARTIAL=1")
        return env

    def info(self) -> ContainerInfo:
        """The array's container as the topology names it."""
        return ContainerInfo(self.host, self.placement.room, "storage", SERVICE)
