"""Three Docker hosts on one machine, for rooms on separate hosts: `drill hosts up | status | down`.

Each host is a `dockerd` of its own in a network namespace of its own
(`hdrp-host-N`), with its own data root, exec root, socket, config and
engine ID (an empty /etc/netns/<ns>/docker, which `ip netns exec` binds over
/etc/docker). The hosts' links (veth pairs) meet on a bridge in a separate
switch namespace: a bridge in the root namespace would send the frames
through the main engine's `FORWARD DROP` (bridge-nf-call-iptables). The
root namespace has a link of its own to the switch (HARNESS_IP), so that
users, probes and the workload on the machine reach each host's address.
The three room engines form a Docker Swarm of three managers: its quorum
survives the loss of any one room. A fourth host, `hdrp-host-4`, is the
biology platform's site, in no room: it joins the swarm as a worker, so
that its analysers reach the lab gateway over an overlay, and its loss
never counts against the quorum. The machine's main engine is never
touched.

`ip netns exec` mounts a /sys of the namespace, without cgroups: the
engine's start script mounts a tmpfs at /sys/fs/cgroup and each cgroup v1
controller under it (FACTS.md, "Several Docker hosts on one machine"),
and the engine puts its containers under the cgroup parent /hdrp-host-N.

Every step is idempotent: `up` makes what is missing and keeps what stands;
`down` removes everything the harness made, whatever state it is in
(`leftovers()` lists what would remain).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors

from drill.errors import ToolchainError
from drill.process import run_command

PREFIX = "hdrp-host"
SWITCH = "hdrp-hosts-switch"
BRIDGE = "br-hosts"
ROOT_LINK = "hdrp-hosts"  # the root namespace's end of its link to the switch
SUBNET = "10.231.0"  # the harness's own addresses: a /24 on the switch
HARNESS_IP = f"{SUBNET}.254"
COUNT = 3  # the rooms' hosts: the swarm's managers
DATA = Path("/var/lib/hdrp-hosts")
RUN = Path("/run/hdrp-hosts")
NETNS_ETC = Path("/etc/netns")
CGROUPS = Path("/sys/fs/cgroup")
CONTROLLERS = ("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids")
START_S = 60.0
STOP_S = 5.0  # the engines hold nothing to keep: a clean stop, or a kill
FIX = "run `drill hosts down`, then `drill hosts up` again; `drill hosts status` shows each part"


@dataclass(frozen=True)
class Host:
    """One of the harness's Docker hosts: its namespace, address and engine socket."""

    number: int

    @property
    def manager(self) -> bool:
        """A room's host (a manager of the swarm), not the platform's (a worker)."""
        return self.number <= COUNT

    @property
    def name(self) -> str:
        return f"{PREFIX}-{self.number}"

    @property
    def address(self) -> str:
        return f"{SUBNET}.{self.number}"

    @property
    def run_dir(self) -> Path:
        return RUN / self.name

    @property
    def socket(self) -> Path:
        return self.run_dir / "docker.sock"

    @property
    def docker_host(self) -> str:
        """The engine's address for a stack config's room (`docker_host`) and for docker -H."""
        return f"unix://{self.socket}"

    @property
    def link(self) -> str:
        """The host's end of its link in the switch namespace (the host sees its own as eth0)."""
        return f"{self.name}-sw"


HOSTS = tuple(Host(n) for n in range(1, COUNT + 1))
PLATFORM_HOST = Host(COUNT + 1)  # the biology platform's site, in no room
ALL = (*HOSTS, PLATFORM_HOST)


@dataclass(frozen=True)
class HostStatus:
    """What `drill hosts status` shows of one host."""

    host: Host
    namespace: bool
    engine: str | None  # the engine's version when it answers
    swarm: str  # the node's swarm state and role, e.g. "active manager (leader)"
    managers: int  # managers its swarm lists as reachable


def _ip(*argv: str, namespace: str | None = None, check: bool = True) -> str:
    prefix = ["ip", "netns", "exec", namespace] if namespace else []
    if not check:
        subprocess.run([*prefix, "ip", *argv], capture_output=True, check=False)
        return ""
    return run_command([*prefix, "ip", *argv], fix=FIX, timeout=30)


def namespaces() -> set[str]:
    """The network namespaces of the machine, by name."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, check=False).stdout.decode()
    return {line.split()[0] for line in listed.splitlines() if line.strip()}


def _links(namespace: str | None = None) -> set[str]:
    argv = ["ip", "-o", "link", "show"]
    if namespace:
        argv = ["ip", "netns", "exec", namespace, *argv]
    listed = subprocess.run(argv, capture_output=True, check=False).stdout.decode()
    return {line.split(":")[1].strip().split("@")[0] for line in listed.splitlines() if ":" in line}


def make_switch() -> None:
    """The switch namespace and its bridge, and the root namespace's link to it."""
    if SWITCH not in namespaces():
        _ip("netns", "add", SWITCH)
    if BRIDGE not in _links(SWITCH):
        _ip("link", "add", BRIDGE, "type", "bridge", namespace=SWITCH)
    _ip("link", "set", BRIDGE, "up", namespace=SWITCH)
    _ip("link", "set", "lo", "up", namespace=SWITCH)
    if ROOT_LINK not in _links():
        _ip("link", "add", ROOT_LINK, "type", "veth", "peer", "name", f"{ROOT_LINK}-sw")
        _ip("link", "set", f"{ROOT_LINK}-sw", "netns", SWITCH)
        _ip("addr", "add", f"{HARNESS_IP}/24", "dev", ROOT_LINK)
    _ip("link", "set", f"{ROOT_LINK}-sw", "master", BRIDGE, "up", namespace=SWITCH)
    _ip("link", "set", ROOT_LINK, "up")


def make_namespace(host: Host) -> None:
    """The host's namespace, its link to the switch (eth0, its address) and its own /etc/docker."""
    if host.name not in namespaces():
        _ip("netns", "add", host.name)
    if "eth0" not in _links(host.name):
        _ip("link", "add", host.link, "type", "veth", "peer", "name", f"{host.name}-eth")
        _ip("link", "set", host.link, "netns", SWITCH)
        _ip("link", "set", f"{host.name}-eth", "netns", host.name)
        _ip("link", "set", f"{host.name}-eth", "name", "eth0", namespace=host.name)
        _ip("addr", "add", f"{host.address}/24", "dev", "eth0", namespace=host.name)
    _ip("link", "set", host.link, "master", BRIDGE, "up", namespace=SWITCH)
    _ip("link", "set", "eth0", "up", namespace=host.name)
    _ip("link", "set", "lo", "up", namespace=host.name)
    (NETNS_ETC / host.name / "docker").mkdir(parents=True, exist_ok=True)


def engine_script(host: Host) -> str:
    """The shell that mounts the namespace's cgroups and runs the host's engine in it."""
    mounts = " ".join(CONTROLLERS)
    return f"""set -e
mount -t tmpfs cgroups {CGROUPS}
for controller in {mounts}; do
  mkdir -p {CGROUPS}/$controller
  mount -t cgroup -o $controller cgroup {CGROUPS}/$controller
done
mkdir -p {CGROUPS}/systemd {CGROUPS}/unified
mount -t cgroup -o none,name=systemd cgroup {CGROUPS}/systemd
mount -t cgroup2 cgroup2 {CGROUPS}/unified
exec dockerd --host {host.docker_host} --data-root {DATA / host.name} --exec-root {host.run_dir / "exec"} \\
  --pidfile {host.run_dir / "docker.pid"} --config-file {host.run_dir / "daemon.json"} \\
  --cgroup-parent /{host.name} --log-level warn
"""


def engine(host: Host, timeout: float = 5) -> docker.DockerClient:
    return docker.DockerClient(base_url=host.docker_host, timeout=int(timeout))


def engine_version(host: Host) -> str | None:
    """The host's engine version, or None when it does not answer."""
    if not host.socket.exists():
        return None
    try:
        with closing(engine(host)) as client:
            return str(client.version()["Version"])
    except (docker.errors.DockerException, OSError):
        return None


def start_engine(host: Host) -> None:
    """Start the host's engine in its namespace unless it answers; wait until it does."""
    if engine_version(host) is not None:
        return
    host.run_dir.mkdir(parents=True, exist_ok=True)
    (host.run_dir / "daemon.json").write_text("{}\n")
    (DATA / host.name).mkdir(parents=True, exist_ok=True)
    log = (host.run_dir / "dockerd.log").open("ab")
    subprocess.Popen(
        ["ip", "netns", "exec", host.name, "sh", "-c", engine_script(host)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + START_S
    while engine_version(host) is None:
        if time.monotonic() > deadline:
            said = (host.run_dir / "dockerd.log").read_text(errors="replace")[-600:]
            raise ToolchainError(f"the engine of {host.name} did not answer in {START_S:.0f} s: {said}", FIX)
        time.sleep(0.2)


def form_swarm() -> None:
    """Host 1 starts the swarm; the other rooms' hosts join it as managers, the platform's as a
    worker (each skipped when already in)."""
    first = HOSTS[0]
    with closing(engine(first, timeout=30)) as client:
        if client.info()["Swarm"]["LocalNodeState"] != "active":
            client.swarm.init(advertise_addr=first.address, listen_addr=f"{first.address}:2377")
        client.swarm.reload()
        tokens = client.swarm.attrs["JoinTokens"]
    for host in ALL[1:]:
        with closing(engine(host, timeout=30)) as client:
            if client.info()["Swarm"]["LocalNodeState"] != "active":
                client.swarm.join(
                    remote_addrs=[f"{first.address}:2377"],
                    join_token=tokens["Manager" if host.manager else "Worker"],
                    advertise_addr=host.address,
                    listen_addr=f"{host.address}:2377",
                )


def wait_ready(timeout_s: float = START_S) -> None:
    """Until every host's node is ready in the swarm, as a manager with a leader sees it (after a
    host came back the swarm may take a while to elect one: each manager is asked in turn)."""
    deadline = time.monotonic() + timeout_s
    states: list[str] = []
    while True:
        for host in HOSTS:
            try:
                with closing(engine(host, timeout=10)) as client:
                    states = [node.attrs["Status"]["State"] for node in client.nodes.list()]
                break
            except (docker.errors.DockerException, OSError) as exc:
                states = [f"unknown ({str(exc)[:80]})"]
        if states.count("ready") == len(ALL):
            return
        if time.monotonic() > deadline:
            raise ToolchainError(
                f"the swarm's nodes are {states} after {timeout_s:.0f} s, not all ready", FIX
            )
        time.sleep(0.5)


def up() -> list[HostStatus]:
    """Make the harness (what is missing of it) and return its status."""
    if os.geteuid() != 0:
        raise ToolchainError("the hosts harness makes network namespaces and engines", "run as root")
    make_switch()
    for host in ALL:
        make_namespace(host)
        start_engine(host)
    form_swarm()
    wait_ready()
    return status()


def host_status(host: Host) -> HostStatus:
    version = engine_version(host)
    swarm, managers = "no engine", 0
    if version is not None:
        with closing(engine(host)) as client:
            info = client.info()["Swarm"]
            swarm = str(info["LocalNodeState"])
            if info.get("ControlAvailable"):
                nodes = client.nodes.list()
                managers = sum(
                    1 for n in nodes if n.attrs.get("ManagerStatus", {}).get("Reachability") == "reachable"
                )
                leader = any(
                    n.attrs.get("ManagerStatus", {}).get("Leader") and n.id == info["NodeID"] for n in nodes
                )
                swarm += " manager (leader)" if leader else " manager"
            elif swarm == "active":
                swarm += " worker"
    return HostStatus(host, host.name in namespaces(), version, swarm, managers)


def whole(statuses: list[HostStatus]) -> bool:
    """Every room's host answers as a manager that reaches all the managers, the platform's as a worker."""
    return all(
        s.engine is not None
        and (("manager" in s.swarm and s.managers == COUNT) if s.host.manager else s.swarm == "active worker")
        for s in statuses
    ) and len(statuses) == len(ALL)


def status() -> list[HostStatus]:
    """Each host's namespace, engine and place in the swarm."""
    return [host_status(host) for host in ALL]


def _pids_in(namespace: str) -> list[int]:
    """Every process of a host: those in its network namespace (its engine, containerd, the shims)
    and those in its cgroups (its containers' processes, each in a network namespace of its own,
    which a kill of the engine alone would leave running)."""
    found = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, check=False)
    pids = {int(pid) for pid in found.stdout.decode().split() if pid.isdigit()}
    tree = CGROUPS / "pids" / namespace
    if tree.is_dir():
        for procs in tree.rglob("cgroup.procs"):
            with contextlib.suppress(OSError):
                pids |= {int(pid) for pid in procs.read_text().split() if pid.isdigit()}
    return sorted(pids)


def _stop_processes(names: list[str]) -> None:
    """SIGTERM every process of the namespaces (all hosts at once: a manager whose peers are going
    takes seconds to stop), then SIGKILL what is left after STOP_S."""
    for sig, wait in ((signal.SIGTERM, STOP_S), (signal.SIGKILL, 5.0)):
        for pid in (pid for name in names for pid in _pids_in(name)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while any(_pids_in(name) for name in names) and time.monotonic() < deadline:
            time.sleep(0.2)


def _remove_cgroups(host: Host) -> None:
    for controller in (*CONTROLLERS, "systemd"):
        top = CGROUPS / controller / host.name
        if top.is_dir():
            for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
                folder.rmdir()
            top.rmdir()


def down() -> list[str]:
    """Remove everything of the harness; return what was left after (nothing when all went)."""
    standing = [host.name for host in ALL if host.name in namespaces()]
    _stop_processes(standing)
    for host in ALL:
        if host.name in standing:
            _ip("netns", "del", host.name, check=False)
        _remove_cgroups(host)
        shutil.rmtree(NETNS_ETC / host.name, ignore_errors=True)
        shutil.rmtree(host.run_dir, ignore_errors=True)
        shutil.rmtree(DATA / host.name, ignore_errors=True)
    if SWITCH in namespaces():
        _ip("netns", "del", SWITCH, check=False)
    _ip("link", "del", ROOT_LINK, check=False)
    for folder in (DATA, RUN):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return leftovers()


def leftovers() -> list[str]:
    """What of the harness is on the machine: namespaces, links, folders, cgroups, processes."""
    found = [f"network namespace {n}" for n in sorted(namespaces()) if n.startswith((PREFIX, SWITCH))]
    found += [f"link {link}" for link in sorted(_links()) if link.startswith(ROOT_LINK)]
    found += [f"folder {p}" for p in (DATA, RUN) if p.exists()]
    found += [f"folder {NETNS_ETC / h.name}" for h in ALL if (NETNS_ETC / h.name).exists()]
    found += [
        f"cgroup {CGROUPS / c / h.name}"
        for h in ALL
        for c in (*CONTROLLERS, "systemd")
        if (CGROUPS / c / h.name).exists()
    ]
    processes = subprocess.run(["pgrep", "-af", str(DATA)], capture_output=True, check=False).stdout.decode()
    found += [f"process {line}" for line in processes.splitlines() if "pgrep" not in line]
    return found


def host_of(docker_host: str) -> Host | None:
    """The harness host whose engine docker_host names, or None (another host: not ours to break)."""
    return next((host for host in ALL if host.docker_host == docker_host), None)


def set_link(host: Host, up: bool) -> None:
    """Plug the host's link into the switch, or pull it: the host and all on it cut off, alive."""
    _ip("link", "set", host.link, "up" if up else "down", namespace=SWITCH)


def link_is_up(host: Host) -> bool:
    """Whether the host's link on the switch is up."""
    shown = _ip("-o", "link", "show", host.link, namespace=SWITCH)
    return "state DOWN" not in shown and ",UP" in shown.replace("<", ",").replace(">", ",")


def kill_engine(host: Host) -> int:
    """Kill every process of the host at once (its engine, containerd, every container), as a power
    loss; return how many there were."""
    pids = _pids_in(host.name)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + STOP_S
    while _pids_in(host.name) and time.monotonic() < deadline:
        time.sleep(0.1)
    (host.run_dir / "docker.pid").unlink(missing_ok=True)
    return len(pids)


def describe(statuses: list[HostStatus]) -> str:
    """The status as JSON lines, for scripts."""
    return "\n".join(
        json.dumps(
            {
                "host": s.host.name,
                "address": s.host.address,
                "docker_host": s.host.docker_host,
                "namespace": s.namespace,
                "engine": s.engine,
                "swarm": s.swarm,
                "managers": s.managers,
            }
        )
        for s in statuses
    )
