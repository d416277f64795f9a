"""The whole program: rooms, then the access network, then the services, then `topology`."""

from __future__ import annotations

from collections.abc import Callable

import pulumi

from infra.access import AccessNetwork, AccessNetworkArgs
from infra.config import StackSpec, load_stack_spec
from infra.images import ServiceImages
from infra.intranet import Intranet, IntranetArgs
from infra.rooms import MachineRoom, MachineRoomArgs
from infra.topology import RoomInfo, Topology

CONFIG_KEYS = ("rooms", "intranet")


def read_stack_spec() -> StackSpec:
    """Read the stack's config once, in the running program, into a StackSpec."""
    config = pulumi.Config("hospital-drp")
    raw = {key: config.get_object(key) for key in CONFIG_KEYS}
    return load_stack_spec(pulumi.get_stack(), {k: v for k, v in raw.items() if v is not None})


def deploy(spec: StackSpec, images: ServiceImages) -> Topology:
    """Declare every resource of the stack and return its topology."""
    rooms = {
        room.name: MachineRoom(room.name, MachineRoomArgs(room=room, stack=spec.stack, prefix=spec.prefix))
        for room in spec.rooms
    }
    access = AccessNetwork(
        "access",
        AccessNetworkArgs(room=rooms[spec.intranet.balancer_room], stack=spec.stack, prefix=spec.prefix),
    )
    intranet = Intranet(
        "intranet",
        IntranetArgs(
            spec=spec.intranet,
            rooms=rooms,
            access=access,
            app_image=images.intranet,
            balancer_image=images.intranet_lb,
            stack=spec.stack,
            prefix=spec.prefix,
        ),
    )
    topology = Topology(
        stack=spec.stack,
        prefix=spec.prefix,
        access_network=access.network_name,
        rooms=tuple(
            RoomInfo(r.spec.name, r.spec.site, r.spec.docker_host, r.network_name, r.san_network_name)
            for r in rooms.values()
        ),
        services=(intranet.info(),),
    )
    # The output resolves only once the balancer (and so every replica) exists.
    pulumi.export("topology", intranet.balancer.id.apply(lambda _: topology.to_output()))
    return topology


def make_program(images: ServiceImages) -> Callable[[], None]:
    """The inline program the Automation API runs, bound to the built images."""

    def program() -> None:
        deploy(read_stack_spec(), images)

    return program
