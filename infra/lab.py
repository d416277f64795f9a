"""The lab-result gateway (HL7 over MLLP in, results API out) and the analyser chains that feed it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.access import AccessNetwork
from infra.config import LabSpec
from infra.health import WAIT_TIMEOUT_S, healthcheck
from infra.joints import Joints
from infra.labels import Placement, network_labels
from infra.listen import attach, listen_env, listen_name
from infra.rooms import MachineRoom
from infra.secret_files import secret_uploads
from infra.storage_array import TLS_CLIENT_ENV, StorageArray
from infra.topology import ContainerInfo, Endpoint, ServiceInfo
from infra.volumes import data_volume

MLLP_PORT = 2575  # plain MLLP: the analysers' link only (analysers often cannot do TLS)
MLLPS_PORT = 2576  # MLLP over TLS: everything else (the access network, 127.0.0.1)
API_PORT = 8000
SERVICE = "lab"
JOURNAL_PATH = "/var/lib/lab-gateway"
# The gateway's name on the lab link, wherever it stands.
GATEWAY_ALIAS = "lab-gateway"


def analyser_name(prefix: str, number: int) -> str:
    """The container name of analyser `number` (from 1)."""
    return f"{prefix}-lab-analyser-{number}"


PLATFORM = "biology"


def lab_gateway_host(prefix: str, room: str) -> str:
    """The name of the lab gateway (MLLP in, the results API out) in room."""
    return f"{prefix}-lab-gateway-{room}"


@dataclass(frozen=True)
class LabArgs:
    """Placement and rates, the gateway's room, the biology platform's engine, the results
    database, user access, images and secrets."""

    spec: LabSpec
    room: MachineRoom
    platform: pulumi.ProviderResource
    joints: Joints
    array: StorageArray
    san: docker.Network  # where the gateway reaches the array: its room's SAN, or that SAN stretched
    access: AccessNetwork
    gateway_image: str
    analyser_image: str
    secrets: Mapping[str, pulumi.Output[str]]
    stack: str
    prefix: str


class LabResults(pulumi.ComponentResource):
    """The gateway keeps its journal on a volume of its own server, not on the storage array:
    it ACKs the analysers whatever happens to the array, and delivers once the array is back.

    The analysers stand for the biology platform's instruments, which are in no machine room:
    they run on the platform's own engine and reach the gateway over the lab link, by a name
    (GATEWAY_ALIAS) that stays the same wherever the recovery plan places the gateway.
    """

    def __init__(self, name: str, args: LabArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hospital:services:LabResults", name, None, opts)
        self.args = args
        room = args.room.spec.name
        self.gateway_host = lab_gateway_host(args.prefix, room)
        self.link_name = f"{args.prefix}-lab-link"
        # On the platform's engine; across a swarm an overlay its engine joins.
        labels = network_labels(args.stack, PLATFORM, "lab-link")
        self.link = args.joints.network("lab-link", self.link_name, labels, owner=args.platform, parent=self)
        self.gateway = self._gateway(room)
        self.analysers = [self._analyser(n) for n in range(1, args.spec.analysers + 1)]
        self.register_outputs({"gateway": self.gateway.name, "analysers": [a.name for a in self.analysers]})

    def _gateway(self, room: str) -> docker.Container:
        args = self.args
        placement = Placement(args.stack, room, "app", SERVICE)
        child = pulumi.ResourceOptions(parent=self, provider=args.room.provider)
        journal = data_volume("lab-journal", args.prefix, placement, child)
        host = self.gateway_host
        return docker.Container(
            f"lab-gateway-{room}",
            name=host,
            image=args.gateway_image,
            envs=[
                f"DB_HOST={args.array.host}",
                *TLS_CLIENT_ENV,
                "TLS_SERVER=lab_gateway",  # its certificate: HTTPS, and MLLP over TLS
                # Plain MLLP for the analysers (lab link); MLLP over TLS and the results API for the
                # users (docs/security.md: which network may speak plain MLLP).
                listen_env("LISTEN", listen_name("lab", host)),
                listen_env("MLLPS_LISTEN", *args.access.listen(args.room, host)),
                listen_env("API_LISTEN", *args.access.listen(args.room, host)),
            ],
            labels=placement.container_labels(),
            networks_advanced=[
                *args.access.attach(args.room, host),
                attach(args.room.network, host),
                # The SAN of the array's room: re-pointed with it when the plan moves it.
                attach(args.san, host),
                attach(self.link, host, "lab", GATEWAY_ALIAS),
            ],
            ports=[
                docker.ContainerPortArgs(
                    internal=MLLPS_PORT, external=args.spec.mllp_port, ip=args.room.spec.publish_ip
                ),
                docker.ContainerPortArgs(
                    internal=API_PORT, external=args.spec.api_port, ip=args.room.spec.publish_ip
                ),
            ],
            volumes=[docker.ContainerVolumeArgs(volume_name=journal.name, container_path=JOURNAL_PATH)],
            uploads=secret_uploads(args.secrets),
            healthcheck=healthcheck("python3", "-m", "services.lab_gateway.results_api"),
            restart="unless-stopped",
            wait=True,
            wait_timeout=WAIT_TIMEOUT_S,
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.room.provider, depends_on=[args.array.container]
            ),
        )

    def _analyser(self, number: int) -> docker.Container:
        args = self.args
        ident = f"AN{number:02d}"
        return docker.Container(
            f"lab-analyser-{number}",
            name=analyser_name(args.prefix, number),
            image=args.analyser_image,
            envs=[
                f"ANALYSER_ID={ident}",
                f"GATEWAY_HOST={GATEWAY_ALIAS}",
                f"RATE_PER_S={args.spec.rate_per_s:g}",
                f"STAT_SHARE={args.spec.stat_share:g}",
            ],
            labels=Placement(args.stack, PLATFORM, "lab", SERVICE).container_labels(),
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=self.link.name)],
            restart="unless-stopped",
            opts=pulumi.ResourceOptions(parent=self, provider=args.platform, depends_on=[self.gateway]),
        )

    def info(self) -> ServiceInfo:
        """This service as the topology describes it."""
        spec, room = self.args.spec, self.args.room.spec.name
        ip = self.args.room.spec.publish_ip
        api = f"https://{ip}:{spec.api_port}"
        containers = [ContainerInfo(self.gateway_host, room, "app", SERVICE)]
        containers += [
            ContainerInfo(analyser_name(self.args.prefix, n), PLATFORM, "lab", SERVICE)
            for n in range(1, spec.analysers + 1)
        ]
        endpoints = (Endpoint("mllp", f"mllps://{ip}:{spec.mllp_port}"), Endpoint("http", api))
        return ServiceInfo(SERVICE, tuple(containers), endpoints, f"{api}/health")
