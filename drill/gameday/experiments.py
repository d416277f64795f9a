"""The experiments of experiments/ and the var file that points them at a deployed stack.

Experiments are plain Chaos Toolkit files: `chaos run --var-file vars.json
experiments/<name>.json` works without drill. The var file is written from
the stack's `topology` output only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from drill.errors import ExperimentError
from drill.paths import PROJECT_ROOT
from infra.hosting import MODES
from infra.topology import Topology

EXPERIMENTS = PROJECT_ROOT / "experiments"
Expectation = Literal["recovery", "refusal", "steady", "unchanged"]
EXPECTATIONS = ("recovery", "refusal", "steady", "unchanged")
# The failure domain an experiment breaks, so the matrix knows which rooms it applies to.
Domain = Literal["storage", "room", "vault"]
DOMAINS = ("storage", "room", "vault")


@dataclass(frozen=True)
class Experiment:
    """An experiment file, its title and what a good run of it shows."""

    name: str
    path: Path
    title: str
    expect: Expectation
    applies_to: Domain = "storage"
    hosting: str = ""  # the hosting it needs (infra/hosting.py: `swarm` for a host's loss); "" any


def experiment_names() -> list[str]:
    """The names of the experiments in experiments/."""
    return sorted(p.stem for p in EXPERIMENTS.glob("*.json"))


def load_experiment(name: str) -> Experiment:
    """Read experiments/<name>.json; raise ExperimentError naming the file and the fix."""
    path = EXPERIMENTS / f"{name}.json"
    if not path.exists():
        raise ExperimentError(
            f"there is no experiment {name!r}", f"use one of {', '.join(experiment_names())}"
        )
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or not isinstance(raw.get("title"), str):
            raise ValueError("no title")
        title = raw["title"]
        extensions = raw.get("extensions", [])
        if not isinstance(extensions, list):
            raise ValueError("extensions is not a list")
        [ours] = [e for e in extensions if isinstance(e, dict) and e.get("name") == "hospital-drp"]
        expect = ours.get("expect")
        applies_to = ours.get("applies_to", "storage")
        hosting = str(ours.get("hosting", ""))
    except (ValueError, KeyError, TypeError) as exc:
        raise ExperimentError(
            f"{path.name} is not an experiment of ours ({exc})",
            "give it a title and an extension {name: hospital-drp, expect: " + "|".join(EXPECTATIONS) + "}",
        ) from exc
    if expect not in EXPECTATIONS:
        raise ExperimentError(
            f"{path.name}: expect {expect!r} is unknown", f"use one of {', '.join(EXPECTATIONS)}"
        )
    if applies_to not in DOMAINS:
        raise ExperimentError(
            f"{path.name}: applies_to {applies_to!r} is unknown", f"use one of {', '.join(DOMAINS)}"
        )
    if hosting not in ("", *MODES):
        raise ExperimentError(
            f"{path.name}: hosting {hosting!r} is unknown", f"use one of {', '.join(MODES)}"
        )
    return Experiment(name, path, title, expect, applies_to, hosting)


def ensure_hosting(experiment: Experiment, stack: str, hosting: str) -> None:
    """Refuse an experiment that needs another hosting than the stack's (a host's loss on one engine)."""
    if experiment.hosting and experiment.hosting != hosting:
        raise ExperimentError(
            f"{experiment.name} breaks a room's host: it needs hosting {experiment.hosting}, and stack "
            f"{stack} is {hosting}",
            "run it on a stack of rooms on their own hosts (e.g. `drill hosts up`, then "
            f"`drill --stack swarm gameday {experiment.name}`), or run room-loss here",
        )


def write_vars(
    topology: Topology, run_dir: Path, negative_control: bool = False, lost_room: str = "nord-2"
) -> Path:
    """Write run_dir/vars.json: every configuration value the experiments take, from topology."""
    [array] = topology.service("storage").containers
    [vault] = topology.service("vault").containers
    room = topology.room(array.room)
    lab = topology.service("lab")
    intranet = [f"{url}/directory/1" for url in topology.service("intranet").urls()]
    values: dict[str, object] = {
        "stack": topology.stack,
        "docker_host": room.docker_host,  # the storage room's: each room's engine is its host's
        "lost_room_docker_host": topology.room(lost_room).docker_host,
        "vault_docker_host": topology.room(vault.room).docker_host,
        "storage_room": array.room,
        "san_network": room.san_network,
        "vault_room": vault.room,
        "lost_room": lost_room,
        "intranet_url": intranet[0],
        "intranet_fallback_urls": ",".join(intranet[1:]),
        "appointments_url": topology.service("appointments").endpoint("http"),
        "smtp_url": topology.service("mail").endpoint("smtp"),
        "mail_to": topology.mail.mailbox(1),
        "imap_url": topology.service("mail").endpoint("imap"),
        "mllp_url": lab.endpoint("mllp"),
        "lab_results_url": f"{lab.endpoint('http')}/results?order=none",
        "run_dir": str(run_dir),
        "plan": "",
        "negative_control": negative_control,
        "tls_ca_file": str(run_dir / "ca.pem"),
    }
    path = run_dir / "vars.json"
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "ca.pem").write_text(topology.tls_ca)  # public: what the probes check HTTPS with
    # Chaos Toolkit reads a var file's values under `configuration`.
    path.write_text(json.dumps({"configuration": values}, indent=2))
    return path
