"""The whole program: rooms, networks, storage, vault, services, then `topology`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import pulumi
import pulumi_docker

from infra.access import AccessNetwork, AccessNetworkArgs
from infra.appointments import Appointments, AppointmentsArgs
from infra.backup_vault import (
    BackupLinks,
    BackupVault,
    BackupVaultArgs,
    backup_link_name,
    backup_links,
    export_url,
)
from infra.config import (
    BACKUP_KEYS,
    SECRET_KEYS,
    SECTIONS,
    TLS_CA_CERT,
    TLS_KEYS,
    TLS_SERVERS,
    StackSpec,
    load_stack_spec,
)
from infra.hosting import HOSTING
from infra.images import ServiceImages
from infra.intranet import Intranet, IntranetArgs
from infra.joints import Joints, Swarm, joints_of
from infra.lab import PLATFORM, LabArgs, LabResults
from infra.mail import Mail, MailArgs
from infra.policy import FLOWS
from infra.room_specs import RoomSpec
from infra.rooms import MachineRoom, MachineRoomArgs, room_network_name, san_network_name
from infra.san_links import DATABASE, PARTS, StorageReach, link_resource, storage_reach
from infra.secret_files import pick
from infra.storage_array import StorageArray, StorageArrayArgs
from infra.topology import MailInfo, RoomInfo, ServiceInfo, TargetsInfo, Topology

Secrets = Mapping[str, pulumi.Output[str]]


def read_stack_spec() -> StackSpec:
    """Read the stack's config once, in the running program, into a StackSpec."""
    config = pulumi.Config("hospital-drp")
    raw: dict[str, object] = {key: config.get_object(key) for key in SECTIONS}
    raw[HOSTING] = config.get(HOSTING)  # a word, not an object
    return load_stack_spec(pulumi.get_stack(), {k: v for k, v in raw.items() if v is not None})


def read_secrets() -> Secrets:
    """The generated secrets (drill/secrets.py), TLS material (drill/tls.py) and the backup key
    (drill/backup_key.py), as secret outputs."""
    config = pulumi.Config("hospital-drp")
    return {key: config.require_secret(key) for key in (*SECRET_KEYS, *TLS_KEYS, *BACKUP_KEYS)}


@dataclass(frozen=True)
class _Ground:
    """What every part is declared on: the spec, the images, the secrets, the rooms, the shared networks."""

    spec: StackSpec
    images: ServiceImages
    secrets: Secrets
    rooms: dict[str, MachineRoom]
    joints: Joints
    access: AccessNetwork
    links: BackupLinks
    reach: StorageReach  # the storage's SAN, and its parts stretched to other rooms (swarm)
    common: dict[str, str]  # what every component's Args take: the stack and its name prefix


def deploy(spec: StackSpec, images: ServiceImages, secrets: Secrets) -> Topology:
    """Declare every resource of the stack and return its topology.

    Rooms first, then the networks that join them, the storage layer, the
    vault and the services, each where spec.layout places it.
    """
    common = {"stack": spec.stack, "prefix": spec.prefix}
    rooms = {
        room.name: MachineRoom(
            room.name, MachineRoomArgs(room=room, stack=spec.stack, prefix=spec.prefix, swarm=spec.swarm)
        )
        for room in standing_rooms(spec)
    }
    joints = joints_of(spec)
    # Networks that join rooms stay with the engine the plan gave them, wherever the parts moved
    # (across a swarm: overlays, which outlive any one host).
    first = spec.intranet.balancer_rooms[0]
    access = AccessNetwork(
        "access", AccessNetworkArgs(room_name=first, room=rooms.get(first), joints=joints, **common)
    )
    links = backup_links(spec.vault.room, rooms.get(spec.vault.room), joints, **common)
    reach = storage_reach(spec, rooms, joints)
    ground = _Ground(spec, images, secrets, rooms, joints, access, links, reach, common)
    array = _storage_array(ground)
    vault = _vault(ground, array)
    appointments = _appointments(ground, array, vault)
    lab = _lab(ground, array)
    mail = _mail(ground)
    intranet = _intranet(ground)
    services = (
        ServiceInfo("storage", (array.info(),)),
        ServiceInfo("vault", (vault.info(),)),
        appointments.info(),
        lab.info(),
        mail.info(),
        intranet.info(),
    )
    topology = _topology(ground, lab, services)
    # The output waits only for the storage: the recovery plan deploys it alone first (a
    # targeted run), and an output waiting on parts that run leaves out would stay unknown.
    done = pulumi.Output.all(array.container.id, mail.store.id)
    # The CA's certificate is public (its key never leaves drill): the topology carries it in clear.
    ca = pulumi.Output.unsecret(secrets[TLS_CA_CERT])
    exported = pulumi.Output.all(done, ca).apply(lambda parts: {**topology.to_output(), "tls_ca": parts[1]})
    pulumi.export("topology", exported)
    return topology


def _storage_array(ground: _Ground) -> StorageArray:
    spec, recovery = ground.spec, ground.spec.recovery
    return StorageArray(
        f"storage-{spec.layout.storage}",
        StorageArrayArgs(
            room=ground.rooms[spec.layout.storage],
            backup_link=ground.links.database,
            link=ground.reach.link(DATABASE),
            image=ground.images.postgres,
            restore_from=export_url(spec.prefix, spec.layout.vault) if spec.storage_restored else "",
            without_partial=recovery.without_partial if recovery else False,
            secrets=pick(
                ground.secrets,
                "postgres_password",
                "replication_password",
                "appointments_db_password",
                "lab_db_password",
                "vault_token",
                "backup_key",
                "postgres_tls_cert",
                "postgres_tls_key",
                "tls_ca_cert",
            ),
            **ground.common,
        ),
    )


def _vault(ground: _Ground, array: StorageArray) -> BackupVault:
    return BackupVault(
        "vault",
        BackupVaultArgs(
            room=ground.rooms[ground.spec.layout.vault],
            array=array,
            link=ground.links.database,
            image=ground.images.vault,
            base_backup_interval_s=ground.spec.vault.base_backup_interval_s,
            secrets=pick(
                ground.secrets,
                "replication_password",
                "vault_token",
                "backup_recipient",
                "tls_ca_cert",
                "vault_export_tls_cert",
                "vault_export_tls_key",
            ),
            **ground.common,
        ),
    )


def _appointments(ground: _Ground, array: StorageArray, vault: BackupVault) -> Appointments:
    return Appointments(
        "appointments",
        AppointmentsArgs(
            spec=ground.spec.appointments,
            room=ground.rooms[ground.spec.layout.appointments],
            array=array,
            san=ground.reach.network(DATABASE, ground.spec.layout.appointments),
            vault=vault,
            access=ground.access,
            image=ground.images.appointments,
            secrets=pick(
                ground.secrets, "appointments_db_password", "tls_ca_cert", *TLS_SERVERS["appointments"]
            ),
            **ground.common,
        ),
    )


def _lab(ground: _Ground, array: StorageArray) -> LabResults:
    platform = pulumi_docker.Provider(f"{PLATFORM}-engine", host=ground.spec.lab.platform_host)
    return LabResults(
        "lab",
        LabArgs(
            spec=ground.spec.lab,
            room=ground.rooms[ground.spec.layout.lab],
            platform=platform,
            joints=ground.joints,
            array=array,
            san=ground.reach.network(DATABASE, ground.spec.layout.lab),
            access=ground.access,
            gateway_image=ground.images.lab_gateway,
            analyser_image=ground.images.lab_analyser,
            secrets=pick(ground.secrets, "lab_db_password", "tls_ca_cert", *TLS_SERVERS["lab_gateway"]),
            **ground.common,
        ),
    )


def _mail(ground: _Ground) -> Mail:
    layout = ground.spec.layout
    return Mail(
        "mail",
        MailArgs(
            spec=ground.spec.mail,
            store_room=ground.rooms[layout.storage],
            reach=ground.reach,
            front_room=ground.rooms[layout.mail],
            vault_room=ground.rooms[layout.vault],
            links=ground.links,
            access=ground.access,
            store_image=ground.images.mailstore,
            front_image=ground.images.mail_front,
            proxy_image=ground.images.intranet_lb,
            secrets=pick(
                ground.secrets,
                "mail_copy_token",
                "tls_ca_cert",
                *(key for server in ("mail_vault", "mailstore", "mail_front") for key in TLS_SERVERS[server]),
            ),
            password_key=ground.secrets["mail_password_key"],
            restore=ground.spec.storage_restored,
            **ground.common,
        ),
    )


def _intranet(ground: _Ground) -> Intranet:
    spec, layout = ground.spec, ground.spec.layout
    return Intranet(
        "intranet",
        IntranetArgs(
            spec=replace(spec.intranet, replica_rooms=layout.replicas, balancer_rooms=layout.balancers),
            network_room=spec.intranet.balancer_rooms[0],
            joints=ground.joints,
            rooms=ground.rooms,
            access=ground.access,
            app_image=ground.images.intranet,
            balancer_image=ground.images.intranet_lb,
            **ground.common,
        ),
    )


def _topology(ground: _Ground, lab: LabResults, services: tuple[ServiceInfo, ...]) -> Topology:
    """The topology of what was declared: every machine room, the biology platform, the services."""
    spec, recovery = ground.spec, ground.spec.recovery
    project = pulumi.get_project()
    # Every room of the config, the lost ones too: the plan and the experiments find their hosts here.
    machine_rooms = tuple(
        RoomInfo(
            r.name,
            r.site,
            r.docker_host,
            room_network_name(spec.prefix, r.name),
            san_network_name(spec.prefix, r.name),
            takes=r.takes,
            storage_urns=storage_urns(spec.stack, project, r.name, spec.swarm),
            address=r.publish_ip,
        )
        for r in spec.rooms
    )
    platform = RoomInfo(
        PLATFORM, "biology platform", spec.lab.platform_host, lab.link_name, "", kind="platform"
    )
    return Topology(
        stack=spec.stack,
        prefix=spec.prefix,
        access_network=ground.access.network_name,
        rooms=(*machine_rooms, platform),
        lost_rooms=recovery.lost_rooms if recovery else (),
        lost_storage=recovery.lost_storage if recovery else (),
        services=services,
        backup_link=backup_link_name(spec.prefix),
        mail=MailInfo(spec.mail.domain, spec.mail.mailboxes),
        targets=TargetsInfo(dict(spec.targets.rto_s), spec.targets.stat_delivery_s),
        recovered=recovery is not None,
        flows=FLOWS,
        hosting=spec.hosting,
    )


def standing_rooms(spec: StackSpec) -> tuple[RoomSpec, ...]:
    """The rooms the program declares: all on one engine; across a swarm, not those the plan lost
    (their hosts are gone: the plan took their resources out of the state, infra/hosting.py)."""
    lost = set(spec.recovery.lost_rooms) if spec.recovery and spec.swarm else set()
    return tuple(room for room in spec.rooms if room.name not in lost)


def make_program(images: ServiceImages) -> Callable[[], None]:
    """The inline program the Automation API runs, bound to the built images."""

    def program() -> None:
        deploy(read_stack_spec(), images, read_secrets())

    return program


def storage_urns(stack: str, project: str, room: str, swarm: bool = False) -> tuple[str, ...]:
    """The URNs of the resources that make the storage layer in room (deployed there or not):
    across a swarm its SAN's stretched links too (infra/san_links.py).

    The recovery plan deploys these alone, to re-create the storage before
    anything is re-pointed to it.
    """
    links = (
        [(f"{Swarm.TYPE}$docker:index/network:Network", link_resource(room, p)) for p in PARTS]
        if swarm
        else []
    )
    return tuple(
        f"urn:pulumi:{stack}::{project}::{kind}::{name}"
        for kind, name in (*StorageArray.resources(room), *Mail.store_resources(room), *links)
    )
