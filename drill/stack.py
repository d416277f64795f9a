"""Deploying, showing and destroying a stack through Pulumi's Automation API.

The program runs inline in this process, so no Python language host binary
is needed; the engine is our Pulumi CLI with the settings of pulumi_env.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import docker
import docker.errors
import requests
from pulumi import automation as auto

from drill.backup_key import ensure_backup_key
from drill.config_batch import ConfigBatch
from drill.engines import engine
from drill.errors import DeployError, ToolchainError
from drill.interrupted import clear_interrupted
from drill.paths import StatePaths
from drill.progress import working
from drill.secrets import ensure_secrets
from drill.tls import ensure_tls, tls_servers
from drill.toolchain.pulumi_cli import find_pulumi_cli
from drill.toolchain.pulumi_env import pulumi_env
from drill.workload import clients
from drill.workspace import check_stack_config, prepare_workspace, read_recovery, write_recovery
from infra.config import StackSpec
from infra.docker_hosts import LOCAL_ENGINE
from infra.image_loading import load_images
from infra.images import ServiceImages, build_service_images
from infra.labels import selector
from infra.mail_passwords import mailbox_password
from infra.program import make_program
from infra.topology import Topology, topology_from_output

log = logging.getLogger(__name__)

# When the engine stops a failed deploy, the inline program's gRPC server
# logs a traceback per pending call; the engine's own error says it all.
logging.getLogger("grpc._server").setLevel(logging.CRITICAL)

PROJECT = "hospital-drp"


@dataclass(frozen=True)
class UpResult:
    """What a deploy did: changes per operation, the time it took, the topology."""

    changes: dict[str, int]
    seconds: float
    topology: Topology

    @property
    def changed(self) -> bool:
        """True when the deploy created, updated, replaced or deleted anything."""
        return any(op != "same" and count for op, count in self.changes.items())


def open_stack(paths: StatePaths, stack: str, images: ServiceImages | None) -> auto.Stack:
    """Select the stack (creating it on first use) with our engine settings.

    images may be None for operations that do not run the program (destroy, outputs).
    Raises ToolchainError when the Pulumi CLI is missing.
    """
    cli = find_pulumi_cli(paths)
    if cli is None:
        raise ToolchainError("the Pulumi CLI is missing", "run `make bootstrap`, then `drill doctor`")
    work = prepare_workspace(paths, stack)
    program = make_program(images) if images is not None else _no_program
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(work),
        pulumi_home=str(paths.pulumi_home),
        env_vars=pulumi_env(paths),
        secrets_provider="passphrase",
        pulumi_command=auto.PulumiCommand(root=str(cli.parent.parent)),
    )
    try:
        return auto.create_or_select_stack(stack_name=stack, project_name=PROJECT, program=program, opts=opts)
    except auto.CommandError as exc:
        raise DeployError(f"cannot open stack {stack}: {_last_line(exc)}", "run `drill doctor`") from exc


def reached(paths: StatePaths, topology: Topology) -> Topology:
    """topology, once the workload and the probes (this process's and its children's) may reach its
    rooms' addresses, and find each service where it stands now (the users' directory)."""
    clients.allow_hosts([room.address for room in topology.machine_rooms()])
    path = paths.directory_file(topology.stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    held = {
        str(urlparse(e.url).port): str(urlparse(e.url).hostname)
        for service in topology.services
        for e in service.endpoints
    }
    aside = path.with_suffix(".tmp")
    aside.write_text(json.dumps(held, indent=1, sort_keys=True) + "\n")
    aside.replace(path)  # whole or not at all: the clients read it at every connection
    os.environ[clients.DIRECTORY_ENV] = str(path)
    return topology


def images_wanted(spec: StackSpec, images: ServiceImages) -> dict[str, set[str]]:
    """The images each Docker host of the stack runs, or may once the plan moves parts there."""
    rooms = set(dataclasses.astuple(images)) - {images.lab_analyser}
    wanted: dict[str, set[str]] = {room.docker_host: set(rooms) for room in spec.rooms}
    wanted.setdefault(spec.lab.platform_host, set()).add(images.lab_analyser)
    return wanted


# What a swarm says in a race with its allocator: a container started on an attachable overlay its
# node has not attached yet, or an overlay removed while a container just removed still holds its
# attachment. A deploy (or destroy) again gets past it.
_OVERLAY_RACE = re.compile(
    r"Unable to start container: Error response from daemon: network \w+ not found"
    r"|FailedPrecondition desc = network \w+ is in use by task"
)


def up(paths: StatePaths, stack: str, only: list[str] | None = None) -> UpResult:
    """Check the config, build the images, deploy the stack and return what changed; across a
    swarm, a deploy that lost the overlay race (_OVERLAY_RACE) is run once more.

    Raises as _up does.
    """
    try:
        return _up(paths, stack, only)
    except DeployError as exc:
        if not _OVERLAY_RACE.search(str(exc)):
            raise
        log.info(f"a container lost the swarm's overlay race; deploying stack {stack} once more")
        return _up(paths, stack, only)


def _up(paths: StatePaths, stack: str, only: list[str] | None = None) -> UpResult:
    """Check the config, build the images, deploy the stack and return what changed.

    only, when given, limits the deploy to those resources (URNs), as the
    recovery plan does to re-create the storage before re-pointing anything.

    Raises ConfigError before anything is built when the stack config is bad,
    and DeployError with the engine's error when the deploy fails; a failed
    first deploy is destroyed again, so that nothing half-created is left.
    """
    spec = check_stack_config(stack)
    images = build_service_images()
    # A room on a host of its own gets the images from this machine's engine (no registry): every
    # room's host all of the rooms' (the plan may place any part there), the platform's its own.
    wanted = images_wanted(spec, images)
    recovery = read_recovery(paths, stack) if spec.swarm else None
    for lost in recovery.lost_rooms if recovery else ():
        wanted.pop(spec.room(lost).docker_host, None)  # a lost host gets nothing: it does not answer
    if set(wanted) - {LOCAL_ENGINE}:
        with working("images: loading into the rooms' hosts…") as update:
            load_images(wanted, update)
    handle = open_stack(paths, stack, images)
    cleared, deployment = clear_interrupted(paths, PROJECT, spec, handle)
    for what in cleared:
        log.info(f"cleared what an interrupted deploy left: {what}")
    config = ConfigBatch(handle)  # one read, one write: each CLI call derives the passphrase key again
    made = ensure_secrets(config)
    rooms = [room.name for room in spec.rooms]
    made += ensure_tls(config, tls_servers(spec.prefix, rooms, [room.publish_ip for room in spec.rooms]))
    made += ensure_backup_key(config)
    config.flush()
    if made:
        log.info(f"generated secrets into the stack config: {', '.join(made)}")
    started = time.monotonic()
    result = _deploy(handle, spec, only, _resource_count(deployment) == 0)
    changes = {str(getattr(op, "value", op)): n for op, n in (result.summary.resource_changes or {}).items()}
    raw = result.outputs["topology"].value
    if not isinstance(raw, dict):
        raise DeployError(
            f"deploying stack {stack} left the `topology` output unknown ({str(raw)[:60]})",
            "run `drill up` to deploy the whole stack",
        )
    topology = reached(paths, topology_from_output(raw))
    paths.ca_file(stack).parent.mkdir(parents=True, exist_ok=True)
    paths.ca_file(stack).write_text(topology.tls_ca)
    return UpResult(changes, time.monotonic() - started, topology)


def _deploy(handle: auto.Stack, spec: StackSpec, only: list[str] | None, first_deploy: bool) -> auto.UpResult:
    """`pulumi up` (of only those URNs when given); a failed first deploy is destroyed again."""
    with working(f"deploying stack {spec.stack}…") as update:
        try:
            return handle.up(color="never", on_event=_progress(update), suppress_progress=True, target=only)
        except auto.CommandError as exc:
            reason = _last_line(exc) + unhealthy_containers(spec)
            if not first_deploy:
                raise DeployError(
                    f"deploying stack {spec.stack} failed: {reason}",
                    "fix the cause and run `drill up` again, or `drill down` to remove the stack",
                ) from exc
            update(f"deploy failed; removing what it created in stack {spec.stack}…")
            handle.destroy(color="never", suppress_progress=True)
            raise DeployError(
                f"deploying stack {spec.stack} failed, and what it had created was removed: {reason}",
                "fix the cause above and run `drill up` again",
            ) from exc


def current_topology(paths: StatePaths, stack: str) -> Topology | None:
    """The topology output of the deployed stack, or None when nothing is deployed."""
    topology = _topology_of(open_stack(paths, stack, None))
    return reached(paths, topology) if topology is not None else None


def _topology_of(handle: auto.Stack) -> Topology | None:
    raw = handle.outputs().get("topology")
    return topology_from_output(raw.value) if raw is not None else None


def secret(paths: StatePaths, stack: str, key: str) -> str:
    """A generated secret of the stack (see drill/secrets.py), for clients that log in."""
    return open_stack(paths, stack, None).get_config(f"hospital-drp:{key}").value


def all_secrets(paths: StatePaths, stack: str) -> dict[str, str]:
    """Every value drill up generated into the stack's config, by key (without the namespace), in
    one read: each read opens the stack and derives the passphrase's key, about 1 s."""
    values = open_stack(paths, stack, None).get_all_config()
    prefix = "hospital-drp:"
    return {key[len(prefix) :]: value.value for key, value in values.items() if key.startswith(prefix)}


def mailbox_passwords(paths: StatePaths, stack: str, addresses: Iterable[str]) -> dict[str, str]:
    """The passwords of these mailboxes only, derived from the stack's key (infra/mail_passwords.py)."""
    key = secret(paths, stack, "mail_password_key")
    return {address: mailbox_password(key, address) for address in addresses}


@dataclass(frozen=True)
class DownResult:
    """What a destroy took: its time, and the topology that was deployed (None if nothing was)."""

    seconds: float
    topology: Topology | None


def down(paths: StatePaths, stack: str) -> DownResult:
    """Destroy every resource of the stack (once more when it lost the swarm's overlay race, as up);
    return how long it took and what had been deployed. Raises as _down does."""
    try:
        return _down(paths, stack)
    except DeployError as exc:
        if not _OVERLAY_RACE.search(str(exc)):
            raise
        log.info(f"an overlay was still held by a container just removed; destroying stack {stack} once more")
        time.sleep(2)
        return _down(paths, stack)


def _down(paths: StatePaths, stack: str) -> DownResult:
    """Destroy every resource of the stack; return how long it took and what had been deployed.

    What a drill that was killed left is cleared first, as before a deploy: its
    lock (its process gone), its pending operations, its half-made containers.
    Raises DeployError when the engine fails.
    """
    handle = open_stack(paths, stack, None)
    cleared, _ = clear_interrupted(paths, PROJECT, check_stack_config(stack), handle)
    if cleared:
        log.info(f"cleared what an interrupted run left of stack {stack}: {', '.join(cleared)}")
    topology = _topology_of(handle)
    started = time.monotonic()
    with working(f"destroying stack {stack}…") as update:
        try:
            handle.destroy(color="never", on_event=_progress(update), suppress_progress=True)
        except auto.CommandError as exc:
            raise DeployError(
                f"destroying stack {stack} failed: {_last_line(exc)}", "run `drill down` again"
            ) from exc
    # Nothing is left to have recovered: the next deploy follows the planned placement.
    write_recovery(paths, stack, None)
    paths.directory_file(stack).unlink(missing_ok=True)  # nothing left for users to find
    return DownResult(time.monotonic() - started, topology)


def forget(paths: StatePaths, stack: str) -> None:
    """Drop the stack's state and this machine's recovery and directory of it, destroying nothing:
    for a stack whose hosts are gone with everything on them (`drill hosts down`)."""
    handle = open_stack(paths, stack, None)
    handle.workspace.remove_stack(stack, force=True)
    write_recovery(paths, stack, None)
    paths.directory_file(stack).unlink(missing_ok=True)


def unhealthy_containers(spec: StackSpec) -> str:
    """The stack's containers that are not healthy, each with the last lines of its log (for errors)."""
    seen = []
    for host in {room.docker_host for room in spec.rooms}:
        try:
            found = engine(host).containers.list(all=True, filters=selector(spec.stack))
        except (docker.errors.DockerException, requests.exceptions.ConnectionError):
            continue  # a host that does not answer (lost) says nothing
        for container in found:
            state = container.attrs["State"]
            health = state.get("Health", {}).get("Status", "")
            if not state.get("Running") or health in ("unhealthy", "starting"):
                tail = container.logs(tail=5).decode(errors="replace").strip().replace("\n", " | ")
                seen.append(f"{container.name} {state.get('Status')} {health}: {tail[-600:]}")
    return "; not healthy: " + "; ".join(seen) if seen else ""


def _resource_count(deployment: Mapping[str, Any]) -> int:
    """How many resources a deployment (stack state) holds, the stack resource itself not counted."""
    resources = deployment.get("resources") or []
    return sum(1 for r in resources if r.get("type") != "pulumi:pulumi:Stack")


def _no_program() -> None:
    raise DeployError("this operation does not run the program", "use `drill up` to deploy")


def _progress(show: Callable[[str], object]) -> Callable[[auto.EngineEvent], None]:
    done = 0

    def on_event(event: auto.EngineEvent) -> None:
        nonlocal done
        outputs = event.res_outputs_event
        if outputs is not None and outputs.metadata.op != auto.OpType.SAME:
            done += 1
            meta = outputs.metadata
            show(f"{done} changed: {meta.op.value} {meta.type} {meta.urn.rsplit('::', 1)[-1]}")

    return on_event


def _last_line(exc: auto.CommandError) -> str:
    """The engine's first specific error line (a resource's, not the summary)."""
    text = [line.strip() for line in str(exc).splitlines() if line.strip()]
    specific = [
        line.removeprefix("* ")
        for line in text
        if line.startswith(("error:", "* ")) and not line.endswith(("update failed", "error occurred:"))
    ]
    return (specific or text or ["(no output)"])[0][:500]
