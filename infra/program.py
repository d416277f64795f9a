"""The whole program: rooms, networks, storage, vault, services, then `topology`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import pulumi
import pulumi_docker

from infra.access import AccessNetwork, AccessNetworkArgs
from infra.appointments import Appointments, AppointmentsArgs
from infra.backup_vault import BackupVault, BackupVaultArgs, backup_link, export_url
from infra.config import SECRET_KEYS, SECTIONS, StackSpec, load_stack_spec
from infra.images import ServiceImages
from infra.intranet import Intranet, IntranetArgs
from infra.lab import PLATFORM, LabArgs, LabResults
from infra.mail import Mail, MailArgs
from infra.rooms import MachineRoom, MachineRoomArgs
from infra.storage_array import StorageArray, StorageArrayArgs
from infra.topology import RoomInfo, ServiceInfo, Topology

Secrets = Mapping[str, pulumi.Output[str]]


def read_stack_spec() -> StackSpec:
    """Read the stack's config once, in the running program, into a StackSpec."""
    config = pulumi.Config("hospital-drp")
    raw = {key: config.get_object(key) for key in SECTIONS}
    return load_stack_spec(pulumi.get_stack(), {k: v for k, v in raw.items() if v is not None})


def read_secrets() -> Secrets:
    """The generated secrets (see drill/secrets.py), as secret outputs."""
    config = pulumi.Config("hospital-drp")
    return {key: config.require_secret(key) for key in SECRET_KEYS}


def pick(secrets: Secrets, *names: str) -> Secrets:
    """Only the secrets a container needs."""
    return {name: secrets[name] for name in names}


def deploy(spec: StackSpec, images: ServiceImages, secrets: Secrets) -> Topology:
    """Declare every resource of the stack and return its topology."""
    common = {"stack": spec.stack, "prefix": spec.prefix}
    rooms = {room.name: MachineRoom(room.name, MachineRoomArgs(room=room, **common)) for room in spec.rooms}
    # Networks that join rooms stay with the engine the plan gave them, wherever the parts moved.
    access = AccessNetwork("access", AccessNetworkArgs(room=rooms[spec.intranet.balancer_rooms[0]], **common))
    link = backup_link(rooms[spec.vault.room], **common)
    layout, recovery = spec.layout, spec.recovery
    array = StorageArray(
        f"storage-{layout.storage}",
        StorageArrayArgs(
            room=rooms[layout.storage],
            backup_link=link,
            image=images.postgres,
            restore_from=export_url(spec.prefix, layout.vault) if spec.storage_restored else "",
            without_partial=recovery.without_partial if recovery else False,
            secrets=pick(
                secrets,
                "postgres_password",
                "replication_password",
                "appointments_db_password",
                "lab_db_password",
            ),
            **common,
        ),
    )
    vault = BackupVault(
        "vault",
        BackupVaultArgs(
            room=rooms[layout.vault],
            array=array,
            link=link,
            image=images.vault,
            base_backup_interval_s=spec.vault.base_backup_interval_s,
            secrets=pick(secrets, "replication_password"),
            **common,
        ),
    )
    appointments = Appointments(
        "appointments",
        AppointmentsArgs(
            spec=spec.appointments,
            room=rooms[layout.appointments],
            array=array,
            vault=vault,
            access=access,
            image=images.appointments,
            secrets=pick(secrets, "appointments_db_password"),
            **common,
        ),
    )
    platform = pulumi_docker.Provider(f"{PLATFORM}-engine", host=spec.lab.platform_host)
    lab = LabResults(
        "lab",
        LabArgs(
            spec=spec.lab,
            room=rooms[layout.lab],
            platform=platform,
            array=array,
            access=access,
            gateway_image=images.lab_gateway,
            analyser_image=images.lab_analyser,
            secrets=pick(secrets, "lab_db_password"),
            **common,
        ),
    )
    mail = Mail(
        "mail",
        MailArgs(
            spec=spec.mail,
            store_room=rooms[layout.storage],
            front_room=rooms[layout.mail],
            vault_room=rooms[layout.vault],
            backup_link=link,
            access=access,
            store_image=images.mailstore,
            front_image=images.mail_front,
            proxy_image=images.intranet_lb,
            secrets=pick(secrets, "mail_user_password"),
            restore=spec.storage_restored,
            **common,
        ),
    )
    intranet = Intranet(
        "intranet",
        IntranetArgs(
            spec=replace(spec.intranet, replica_rooms=layout.replicas, balancer_rooms=layout.balancers),
            network_room=rooms[spec.intranet.balancer_rooms[0]],
            rooms=rooms,
            access=access,
            app_image=images.intranet,
            balancer_image=images.intranet_lb,
            **common,
        ),
    )
    topology = Topology(
        stack=spec.stack,
        prefix=spec.prefix,
        access_network=access.network_name,
        rooms=(
            *(
                RoomInfo(
                    r.spec.name,
                    r.spec.site,
                    r.spec.docker_host,
                    r.network_name,
                    r.san_network_name,
                    takes=r.spec.takes,
                )
                for r in rooms.values()
            ),
            RoomInfo(
                PLATFORM, "biology platform", spec.lab.platform_host, lab.link_name, "", kind="platform"
            ),
        ),
        lost_rooms=recovery.lost_rooms if recovery else (),
        lost_storage=recovery.lost_storage if recovery else (),
        services=(
            ServiceInfo("storage", (array.info(),)),
            ServiceInfo("vault", (vault.info(),)),
            appointments.info(),
            lab.info(),
            mail.info(),
            intranet.info(),
        ),
    )
    # The output waits only for the storage: the recovery plan deploys it alone first (a
    # targeted run), and an output waiting on parts that run leaves out would stay unknown.
    done = pulumi.Output.all(array.container.id, mail.store.id)
    pulumi.export("topology", done.apply(lambda _: topology.to_output()))
    return topology


def make_program(images: ServiceImages) -> Callable[[], None]:
    """The inline program the Automation API runs, bound to the built images."""

    def program() -> None:
        deploy(read_stack_spec(), images, read_secrets())

    return program


def storage_resources(room: str) -> list[tuple[str, str]]:
    """(type chain, name) of the resources that make the storage layer in room.

    The recovery plan deploys these alone, to re-create the storage before
    anything is re-pointed to it.
    """
    array, mail = "hospital:storage:StorageArray", "hospital:services:Mail"
    return [
        (array, f"storage-{room}"),
        (f"{array}$docker:index/volume:Volume", f"postgres-data-{room}"),
        (f"{array}$docker:index/container:Container", f"postgres-{room}"),
        (f"{mail}$docker:index/volume:Volume", f"mailstore-data-{room}"),
        (f"{mail}$docker:index/container:Container", f"mailstore-{room}"),
    ]
