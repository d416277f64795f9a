"""The `topology` stack output: the one interface from the stack to what follows.

Experiments, the recovery plan, the CLI and the tests read the deployed
replica only through this structure, never by inspecting Docker or config.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from infra.errors import DeployError
from infra.mail_passwords import mailbox_address, mailboxes


@dataclass(frozen=True)
class RoomInfo:
    """A machine room as deployed (kind `room`), or a site outside every room (kind `platform`:
    the biology platform, whose instruments run whichever room is lost).

    takes is what the recovery plan may place there when another room is lost.
    """

    name: str
    site: str
    docker_host: str
    network: str
    san_network: str
    kind: str = "room"
    takes: tuple[str, ...] = ()
    # The URNs of the storage layer were it in this room: what the recovery plan deploys alone there.
    storage_urns: tuple[str, ...] = ()
    # Where the ports published in this room listen (127.0.0.1 on one engine).
    address: str = "127.0.0.1"


@dataclass(frozen=True)
class ContainerInfo:
    """A container as deployed, with the labels experiments select it by."""

    name: str
    room: str
    tier: str
    service: str


@dataclass(frozen=True)
class Endpoint:
    """Where users (and probes) reach a service from this machine: 127.0.0.1 on one engine, the
    address of the service's room across a swarm."""

    name: str
    url: str


@dataclass(frozen=True)
class ServiceInfo:
    """A service: what it runs on, where it is reached, and its health URL ("" if none)."""

    name: str
    containers: tuple[ContainerInfo, ...]
    endpoints: tuple[Endpoint, ...] = ()
    health_url: str = ""

    def endpoint(self, name: str) -> str:
        """The URL of the endpoint called name, or raise DeployError."""
        for endpoint in self.endpoints:
            if endpoint.name == name:
                return endpoint.url
        raise DeployError(f"service {self.name} has no endpoint {name!r}", "run `drill up` to deploy it")

    def urls(self, prefix: str = "http") -> tuple[str, ...]:
        """Every address of one kind, in order: endpoints called prefix or prefix-<n>.

        A service published at several addresses (the intranet's balancers,
        `http`, `http-2`, ...) gives them all; users try them in this order.
        Raises DeployError when there is none.
        """
        found = tuple(e.url for e in self.endpoints if e.name == prefix or e.name.startswith(f"{prefix}-"))
        if not found:
            raise DeployError(
                f"service {self.name} has no endpoint {prefix!r}", "run `drill up` to deploy it"
            )
        return found


@dataclass(frozen=True)
class MailInfo:
    """The mail domain and how many mailboxes it has (staff0001 to staffNNNN)."""

    domain: str = "chu.test"
    mailboxes: int = 3000

    def mailbox(self, number: int) -> str:
        """The address of mailbox number (1-based)."""
        return mailbox_address(self.domain, number)

    def addresses(self) -> list[str]:
        """Every mailbox's address, staff0001 first."""
        return mailboxes(self.domain, self.mailboxes)


@dataclass(frozen=True)
class FlowInfo:
    """A connection the stack allows: from containers of source_service/source_tier (or, with
    source_service `access` and no tier, any container on the access network) to those of
    service/tier, on port (infra/policy.py)."""

    source_service: str
    source_tier: str
    service: str
    tier: str
    port: int
    protocol: str
    why: str

    def source(self) -> str:
        """The source as the policy table writes it."""
        return f"{self.source_service}/{self.source_tier}" if self.source_tier else self.source_service

    def destination(self) -> str:
        """The destination as the policy table writes it."""
        return f"{self.service}/{self.tier}"


@dataclass(frozen=True)
class TargetsInfo:
    """What a game day is judged against: RTO per service and the delivery time of urgent results."""

    rto_s: dict[str, float] = field(default_factory=dict)
    stat_delivery_s: float = 0.0


@dataclass(frozen=True)
class Topology:
    """Everything downstream needs to know about the deployed stack."""

    stack: str
    prefix: str
    access_network: str
    rooms: tuple[RoomInfo, ...]
    services: tuple[ServiceInfo, ...]
    # What the recovery plan declared lost (empty while the stack stands as planned).
    lost_rooms: tuple[str, ...] = ()
    lost_storage: tuple[str, ...] = ()
    # The internal network the arrays stream to the vault over (and restores fetch from).
    backup_link: str = ""
    mail: MailInfo = MailInfo()
    targets: TargetsInfo = TargetsInfo()
    # Whether the stack stands as the recovery plan placed it (not as planned).
    recovered: bool = False
    # The connections the stack allows, and no other (infra/policy.py).
    flows: tuple[FlowInfo, ...] = ()
    # How the rooms are hosted: shared (one engine) or swarm (a host each; infra/hosting.py).
    hosting: str = "shared"
    # The stack's CA certificate (PEM, public): what a client checks the services' TLS with.
    tls_ca: str = field(default="", repr=False)

    def machine_rooms(self) -> tuple[RoomInfo, ...]:
        """The machine rooms, in the stack config's order (no platform)."""
        return tuple(room for room in self.rooms if room.kind == "room")

    def room(self, name: str) -> RoomInfo:
        """The room (or platform) called name, or raise DeployError."""
        for room in self.rooms:
            if room.name == name:
                return room
        raise DeployError(f"the topology has no room {name!r}", "run `drill up` to deploy it")

    def to_output(self) -> dict[str, object]:
        """The plain, JSON-shaped form exported as the stack output."""
        plain: dict[str, object] = json.loads(json.dumps(asdict(self)))
        return plain

    def service(self, name: str) -> ServiceInfo:
        """Return the service called name, or raise DeployError."""
        for service in self.services:
            if service.name == name:
                return service
        raise DeployError(f"the topology has no service {name!r}", "run `drill up` to deploy it")

    def containers(self) -> tuple[ContainerInfo, ...]:
        """Every container of every service."""
        return tuple(c for s in self.services for c in s.containers)


def topology_from_output(raw: Mapping[str, object]) -> Topology:
    """Parse the stack output back into a Topology; raise DeployError when malformed."""
    try:
        return Topology(
            stack=str(raw["stack"]),
            prefix=str(raw["prefix"]),
            access_network=str(raw["access_network"]),
            rooms=tuple(_room(r) for r in _list(raw["rooms"])),
            services=tuple(_service(s) for s in _list(raw["services"])),
            lost_rooms=tuple(_strs(raw, "lost_rooms")),
            lost_storage=tuple(_strs(raw, "lost_storage")),
            backup_link=str(raw.get("backup_link", "")),
            mail=_mail(raw.get("mail")),
            targets=_targets(raw.get("targets")),
            recovered=bool(raw.get("recovered", False)),
            flows=tuple(_flow(f) for f in _list(raw.get("flows", []))),
            tls_ca=str(raw.get("tls_ca", "")),
            hosting=str(raw.get("hosting", "shared")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DeployError(
            f"the stack output `topology` is malformed ({exc})", "run `drill up` to deploy the stack again"
        ) from exc


def _room(r: Mapping[str, object]) -> RoomInfo:
    return RoomInfo(
        name=_str(r, "name"),
        site=_str(r, "site"),
        docker_host=_str(r, "docker_host"),
        network=_str(r, "network"),
        san_network=_str(r, "san_network"),
        kind=str(r.get("kind", "room")),
        takes=tuple(_strs(r, "takes")),
        storage_urns=tuple(_strs(r, "storage_urns")),
        address=str(r.get("address", "127.0.0.1")),
    )


def _service(s: Mapping[str, object]) -> ServiceInfo:
    return ServiceInfo(
        name=_str(s, "name"),
        containers=tuple(
            ContainerInfo(*(_str(c, f) for f in ("name", "room", "tier", "service")))
            for c in _list(s["containers"])
        ),
        endpoints=tuple(Endpoint(_str(e, "name"), _str(e, "url")) for e in _list(s["endpoints"])),
        health_url=_str(s, "health_url"),
    )


def _flow(f: Mapping[str, object]) -> FlowInfo:
    return FlowInfo(
        source_service=_str(f, "source_service"),
        source_tier=_str(f, "source_tier"),
        service=_str(f, "service"),
        tier=_str(f, "tier"),
        port=int(str(f["port"])),
        protocol=_str(f, "protocol"),
        why=_str(f, "why"),
    )


def _mail(value: object) -> MailInfo:
    """The mail part of the output (older outputs have none: the defaults)."""
    if value is None:
        return MailInfo()
    if not isinstance(value, dict):
        raise TypeError("mail is not an object")
    return MailInfo(_str(value, "domain"), int(str(value["mailboxes"])))


def _targets(value: object) -> TargetsInfo:
    """The targets part of the output (older outputs have none: the defaults)."""
    if value is None:
        return TargetsInfo()
    if not isinstance(value, dict) or not isinstance(value.get("rto_s"), dict):
        raise TypeError("targets is not an object with rto_s")
    rto = {str(k): float(str(v)) for k, v in value["rto_s"].items()}
    return TargetsInfo(rto, float(str(value["stat_delivery_s"])))


def _list(value: object) -> list[dict[str, object]]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


def _strs(fields: Mapping[str, object], key: str) -> list[str]:
    """A list of strings that older outputs may not hold (then empty)."""
    value = fields.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{key} is not a list of strings")
    return [str(v) for v in value]


def _str(fields: Mapping[str, object], key: str) -> str:
    value = fields[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string")
    return value
