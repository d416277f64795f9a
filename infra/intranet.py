"""The intranet: replicas in distinct rooms, each with its own data, behind a balancer per room."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.access import AccessNetwork
from infra.haproxy import HEALTH_URI, LISTEN_PORT, Backend, render_haproxy_config
from infra.health import WAIT_TIMEOUT_S, healthcheck
from infra.intranet_spec import IntranetSpec
from infra.joints import Joints
from infra.labels import Placement, network_labels
from infra.listen import attach, listen_env, listen_name
from infra.rooms import MachineRoom
from infra.topology import ContainerInfo, Endpoint, ServiceInfo
from infra.volumes import data_volume

SERVICE = "intranet"
APP_PORT = 8000
DATA_PATH = "/var/lib/intranet"
# The HAProxy image has no HTTP client: bash asks HAProxy's monitor URI itself.
BALANCER_CHECK = (
    f"exec 3<>/dev/tcp/127.0.0.1/{LISTEN_PORT} && printf 'GET {HEALTH_URI} HTTP/1.0\\r\\n\\r\\n' >&3"
    " && read -r status <&3 && [[ $status == *' 200 '* ]]"
)


@dataclass(frozen=True)
class IntranetArgs:
    """Placement, the rooms and access network to place into, the room whose engine holds the
    intranet's own networks on one engine (across a swarm they are overlays), and the images."""

    spec: IntranetSpec
    rooms: Mapping[str, MachineRoom]
    network_room: str
    joints: Joints
    access: AccessNetwork
    app_image: str
    balancer_image: str
    stack: str
    prefix: str


def replica_alias(number: int) -> str:
    """The name replica `number` (from 1) answers to on the intranet's network, wherever it stands."""
    return f"{SERVICE}-replica-{number}"


class Intranet(pulumi.ComponentResource):
    """Directory, on-call roster and procedures, redundant across rooms.

    No replica depends on any storage array: each keeps its data copy in a
    volume of its own room, so one room's storage failure costs nothing.
    Each balancer room has an HAProxy of its own, publishing its own port
    and balancing over every replica, so losing a whole room leaves a
    balancer and a replica; users know every balancer's address.
    """

    def __init__(self, name: str, args: IntranetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hospital:services:Intranet", name, None, opts)
        self.args = args
        # One network per replica, joined by every balancer: a replica keeps its name on it
        # (replica-<n>) wherever it stands, so no balancer changes when the plan moves one,
        # and no replica reaches another (docs/security.md).
        self.networks = [self._network(n) for n in range(1, len(args.spec.replica_rooms) + 1)]
        self.replicas = [self._replica(room, n) for n, room in enumerate(args.spec.replica_rooms, 1)]
        self.balancers = [
            self._balancer(room, port, first=i == 0)
            for i, (room, port) in enumerate(zip(args.spec.balancer_rooms, args.spec.ports, strict=True))
        ]
        self.register_outputs(
            {
                "replicas": [replica.name for replica in self.replicas],
                "balancers": [balancer.name for balancer in self.balancers],
            }
        )

    def _network(self, number: int) -> docker.Network:
        """The network of replica number (the first keeps the name the only one had)."""
        args = self.args
        suffix = "" if number == 1 else f"-{number}"
        owner = args.rooms.get(args.network_room)
        return args.joints.network(
            f"{SERVICE}-network{suffix}",
            f"{args.prefix}-{SERVICE}{suffix}",
            network_labels(args.stack, args.network_room, SERVICE),
            owner=owner.provider if owner else None,
            parent=self,
        )

    def replica_name(self, room: str) -> str:
        """The container name of the replica in room."""
        return f"{self.args.prefix}-{SERVICE}-{room}"

    def balancer_name(self, room: str) -> str:
        """The container name of the balancer in room."""
        return f"{self.args.prefix}-{SERVICE}-lb-{room}"

    def _replica(self, room_name: str, number: int) -> docker.Container:
        room = self.args.rooms[room_name]
        placement = Placement(self.args.stack, room_name, "app", SERVICE)
        child = pulumi.ResourceOptions(parent=self, provider=room.provider)
        volume = data_volume(f"{SERVICE}-data", self.args.prefix, placement, child)
        host = self.replica_name(room_name)
        return docker.Container(
            f"{SERVICE}-{room_name}",
            name=host,
            image=self.args.app_image,
            envs=[f"INTRANET_REPLICA={room_name}", listen_env("LISTEN", listen_name(SERVICE, host))],
            labels=placement.container_labels(),
            networks_advanced=[
                attach(room.network, host),
                attach(self.networks[number - 1], host, SERVICE, replica_alias(number)),
            ],
            volumes=[docker.ContainerVolumeArgs(volume_name=volume.name, container_path=DATA_PATH)],
            healthcheck=healthcheck(
                "python3", "-m", "services.intranet.intranet", "--check", "--port", str(APP_PORT)
            ),
            restart="unless-stopped",
            wait=True,
            wait_timeout=WAIT_TIMEOUT_S,
            opts=child,
        )

    def _balancer(self, room_name: str, port: int, first: bool) -> docker.Container:
        spec = self.args.spec
        room = self.args.rooms[room_name]
        placement = Placement(self.args.stack, room_name, "edge", SERVICE)
        backends = [
            Backend(f"replica-{n}", replica_alias(n), APP_PORT) for n in range(1, len(spec.replica_rooms) + 1)
        ]
        host = self.balancer_name(room_name)
        # The first balancer was the only one, `intranet-lb`, on the same port: the alias
        # makes that a replacement (deleted first) instead of a second claim on the port.
        aliases = [pulumi.Alias(name=f"{SERVICE}-lb")] if first else []
        return docker.Container(
            f"{SERVICE}-lb-{room_name}",
            name=host,
            image=self.args.balancer_image,
            labels=placement.container_labels(),
            networks_advanced=[
                *self.args.access.attach(room, host),
                *(attach(network, host) for network in self.networks),
            ],
            ports=[docker.ContainerPortArgs(internal=LISTEN_PORT, external=port, ip=room.spec.publish_ip)],
            uploads=[
                docker.ContainerUploadArgs(
                    file="/etc/haproxy/haproxy.cfg",
                    content=render_haproxy_config(
                        backends, listen=" ".join(self.args.access.listen(room, host))
                    ),
                )
            ],
            healthcheck=healthcheck("bash", "-c", BALANCER_CHECK, start_period="20s"),
            restart="unless-stopped",
            wait=True,
            wait_timeout=WAIT_TIMEOUT_S,
            opts=pulumi.ResourceOptions(
                parent=self, provider=room.provider, depends_on=self.replicas, aliases=aliases
            ),
        )

    def info(self) -> ServiceInfo:
        """This service as the topology describes it: endpoints `http`, `http-2`, ... one per balancer."""
        spec = self.args.spec
        containers = [ContainerInfo(self.replica_name(r), r, "app", SERVICE) for r in spec.replica_rooms]
        containers += [ContainerInfo(self.balancer_name(r), r, "edge", SERVICE) for r in spec.balancer_rooms]
        urls = [
            f"http://{self.args.rooms[room].spec.publish_ip}:{port}"
            for room, port in zip(spec.balancer_rooms, spec.ports, strict=True)
        ]
        endpoints = tuple(Endpoint("http" if i == 0 else f"http-{i + 1}", url) for i, url in enumerate(urls))
        return ServiceInfo(SERVICE, tuple(containers), endpoints, f"{urls[0]}/health")
