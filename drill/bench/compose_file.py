"""The stack as a Docker Compose file: the same containers, images, networks and volumes.

The file is generated from what the Pulumi program declares (run under
mocks, so nothing is deployed), under its own name prefix so it never
collides with the stack drill deploys. Compose gets the same order as
Pulumi: `depends_on` holds what each container's options list there, and
the containers its settings name (what Pulumi orders by the outputs one
passes to another); a dependent waits until those are healthy, as Pulumi
waits for each container (`wait`).
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from drill.backup_key import make_backup_key
from drill.tls import fresh_tls, tls_servers
from infra.config import SECRET_KEYS, StackSpec
from infra.declared import Declared, declare, revealed
from infra.images import ServiceImages

CONTAINER = "docker:index/container:Container"
NETWORK = "docker:index/network:Network"
VOLUME = "docker:index/volume:Volume"


def compose_spec(spec: StackSpec) -> StackSpec:
    """The stack's spec under the compose project's name (its own prefix and labels)."""
    return dataclasses.replace(spec, stack=f"{spec.stack}-compose")


def compose_document(spec: StackSpec, images: ServiceImages) -> dict[str, Any]:
    """The compose document of spec's containers, with freshly generated secrets."""
    fresh = {key: secrets.token_urlsafe(24) for key in SECRET_KEYS}
    fresh |= fresh_tls(spec.stack, tls_servers(compose_spec(spec).prefix, [r.name for r in spec.rooms]))
    fresh |= make_backup_key()
    declaration = declare(compose_spec(spec), images, fresh)
    declared = declaration.of_type(CONTAINER)
    containers = [revealed(d.inputs) for d in declared.values()]
    checked = {c["name"] for c in containers if "healthcheck" in c}
    services: dict[str, Any] = {}
    configs: dict[str, Any] = {}
    for d, container in zip(declared.values(), containers, strict=True):
        waits = {str(declared[logical].inputs["name"]) for logical in d.depends_on if logical in declared}
        service, files = _service(container, {c["name"] for c in containers}, checked, waits)
        services[container["name"]] = service
        configs.update(files)
    document: dict[str, Any] = _escaped(
        {
            "name": compose_spec(spec).prefix,
            "services": services,
            "networks": _named(declaration.of_type(NETWORK).values(), with_internal=True),
            "volumes": _named(declaration.of_type(VOLUME).values(), with_internal=False),
            "configs": configs,
        }
    )
    return document


def write_compose_file(spec: StackSpec, images: ServiceImages, folder: Path) -> Path:
    """Write the compose file (it holds generated secrets: mode 600, outside git)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "compose.yaml"
    path.touch(mode=0o600)
    path.write_text(yaml.safe_dump(compose_document(spec, images), sort_keys=False))
    return path


def _service(
    container: dict[str, Any], names: set[str], checked: set[str], waits: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    name = container["name"]
    service: dict[str, Any] = {
        "image": container["image"],
        "container_name": name,
        "restart": container["restart"],
        "labels": {item["label"]: item["value"] for item in container.get("labels", [])},
        # With their aliases: the services bind to the names their deployment gives them.
        "networks": {
            network["name"]: ({"aliases": list(network["aliases"])} if network.get("aliases") else None)
            for network in container["networksAdvanced"]
        },
    }
    if container.get("envs"):
        service["environment"] = list(container["envs"])
    if container.get("ports"):
        service["ports"] = [
            f"{p['ip']}:{int(p['external'])}:{int(p['internal'])}" for p in container["ports"]
        ]
    if container.get("volumes"):
        service["volumes"] = [f"{v['volumeName']}:{v['containerPath']}" for v in container["volumes"]]
    if "shmSize" in container:
        service["shm_size"] = f"{int(container['shmSize'])}m"
    if "healthcheck" in container:
        check = container["healthcheck"]
        service["healthcheck"] = {
            "test": list(check["tests"]),
            "interval": check["interval"],
            "timeout": check["timeout"],
            "retries": int(check["retries"]),
            "start_period": check["startPeriod"],
        }
    files = _configs(container, service)
    needs = sorted(_mentioned(container, names) | waits)
    if needs:
        service["depends_on"] = {
            other: {"condition": "service_healthy" if other in checked else "service_started"}
            for other in needs
        }
    return service, files


def _configs(container: dict[str, Any], service: dict[str, Any]) -> dict[str, Any]:
    """The container's uploaded files as compose configs (added to service); the configs' contents."""
    files: dict[str, Any] = {}
    for upload in container.get("uploads", []):
        key = f"{container['name']}{upload['file'].replace('/', '-')}"
        files[key] = {"content": upload["content"]}
        target = {"source": key, "target": upload["file"]}
        if "permissions" in upload:
            target["mode"] = int(upload["permissions"], 8)
        service.setdefault("configs", []).append(target)
    return files


def _mentioned(container: dict[str, Any], names: set[str]) -> set[str]:
    """The other containers this one names in its environment or files: what it needs up first."""
    mentioned = " ".join([*container.get("envs", []), *(u["content"] for u in container.get("uploads", []))])
    return {
        other
        for other in names - {container["name"]}
        if re.search(rf"(?<![\w-]){re.escape(other)}(?![\w-])", mentioned)
    }


def _named(declared: Iterable[Declared], with_internal: bool) -> dict[str, Any]:
    """Top-level networks or volumes by their Docker name."""
    found: dict[str, Any] = {}
    for item in declared:
        inputs = revealed(item.inputs)
        entry: dict[str, Any] = {
            "name": inputs["name"],
            "labels": {label["label"]: label["value"] for label in inputs.get("labels", [])},
        }
        if with_internal and inputs.get("internal"):
            entry["internal"] = True
        found[inputs["name"]] = entry
    return found


def _escaped(value: Any) -> Any:
    """Every string with `$` doubled: compose would otherwise read `$status` as its own variable."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    return value
