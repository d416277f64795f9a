"""Where a container listens: on the networks of its declared flows only (docs/security.md).

A container on several networks would answer on every one of them if it
listened on 0.0.0.0. So each network a listener serves gives the container
an alias of its own there, `<kind>.<container name>`, which resolves (by
Docker's DNS, inside the container) to its address on that network only; the
service binds to those names, and to 127.0.0.1 for its health check. The
names, not addresses: Docker assigns addresses when it attaches a network.
"""

from __future__ import annotations

import pulumi
import pulumi_docker as docker

LOOPBACK = "127.0.0.1"


def listen_name(kind: str, host: str) -> str:
    """The name of host's address on the network of kind (access, lab, lmtp, imap, intranet, export)."""
    return f"{kind}.{host}"


def attach(
    network: docker.Network | pulumi.Input[str], host: str, kind: str = "", *aliases: str
) -> docker.ContainerNetworksAdvancedArgs:
    """Attach host to network; with kind, the alias its services bind to there; with aliases, those too."""
    name = network.name if isinstance(network, docker.Network) else network
    names = [*([listen_name(kind, host)] if kind else []), *aliases]
    return docker.ContainerNetworksAdvancedArgs(name=name, aliases=names or None)


def listen_env(variable: str, *names: str) -> str:
    """The env entry that tells a service which names to bind to (space-separated)."""
    return f"{variable}={' '.join(names)}"
