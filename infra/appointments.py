"""The appointment-booking application: HTML for secretaries, a JSON API, over the storage array."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.access import AccessNetwork
from infra.backup_vault import BackupVault
from infra.config import AppointmentsSpec
from infra.health import WAIT_TIMEOUT_S, healthcheck
from infra.labels import Placement
from infra.listen import attach, listen_env
from infra.rooms import MachineRoom
from infra.secret_files import secret_uploads
from infra.storage_array import TLS_CLIENT_ENV, StorageArray
from infra.topology import ContainerInfo, Endpoint, ServiceInfo

APP_PORT = 8000
SERVICE = "appointments"


def appointments_host(prefix: str, room: str) -> str:
    """The name of the appointment app's container in room."""
    return f"{prefix}-{SERVICE}-{room}"


@dataclass(frozen=True)
class AppointmentsArgs:
    """Placement, where its database lives, how users reach it, image and secrets."""

    spec: AppointmentsSpec
    room: MachineRoom
    array: StorageArray
    san: (
        docker.Network
    )  # where it reaches the array: its room's SAN, or that SAN stretched (infra/san_links.py)
    vault: BackupVault
    access: AccessNetwork
    image: str
    secrets: Mapping[str, pulumi.Output[str]]
    stack: str
    prefix: str


class Appointments(pulumi.ComponentResource):
    """The booking app server: on its room's SAN to reach the database, published on its room's address."""

    def __init__(self, name: str, args: AppointmentsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hospital:services:Appointments", name, None, opts)
        self.args = args
        room = args.room.spec.name
        self.placement = Placement(args.stack, room, "app", SERVICE)
        self.host = appointments_host(args.prefix, room)
        self.container = docker.Container(
            f"{SERVICE}-{room}",
            name=self.host,
            image=args.image,
            envs=[
                f"DB_HOST={args.array.host}",
                *TLS_CLIENT_ENV,
                f"TLS_SERVER={SERVICE}",  # its own certificate: HTTPS only
                listen_env("LISTEN", *args.access.listen(args.room, self.host)),
            ],
            labels=self.placement.container_labels(),
            networks_advanced=[
                *args.access.attach(args.room, self.host),
                attach(args.room.network, self.host),
                # The SAN of the array's room: re-pointed with it when the plan moves it.
                attach(args.san, self.host),
            ],
            ports=[
                docker.ContainerPortArgs(
                    internal=APP_PORT, external=args.spec.port, ip=args.room.spec.publish_ip
                )
            ],
            uploads=secret_uploads(args.secrets),
            healthcheck=healthcheck("python3", "-m", "services.appointments.appointments", "--check"),
            restart="unless-stopped",
            wait=True,
            wait_timeout=WAIT_TIMEOUT_S,
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=args.room.provider,
                depends_on=[args.array.container, args.vault.container],
            ),
        )
        self.register_outputs({"host": self.container.name})

    def info(self) -> ServiceInfo:
        """This service as the topology describes it."""
        url = f"https://{self.args.room.spec.publish_ip}:{self.args.spec.port}"
        container = ContainerInfo(self.host, self.placement.room, "app", SERVICE)
        return ServiceInfo(SERVICE, (container,), (Endpoint("http", url),), f"{url}/health")
