"""The Pulumi workspace on this machine: the project file and the stack's config.

Stack config is committed as Pulumi.<stack>.yaml at the project's root.
Pulumi itself writes machine-bound values into that file (the encryption
salt of our locally generated passphrase, encrypted secrets), so the engine
works on a copy under the state folder: the committed keys win, and the
machine-bound ones are kept from the copy.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from drill.errors import ConfigError
from drill.paths import PROJECT_ROOT, StatePaths
from infra.config import SECTIONS, StackSpec, load_stack_spec
from infra.hosting import HOSTING
from infra.placement import RECOVERY, RecoverySpec

NAMESPACE = "hospital-drp:"


def stack_config_file(stack: str) -> Path:
    """The committed config file of the stack."""
    return PROJECT_ROOT / f"Pulumi.{stack}.yaml"


def check_stack_config(stack: str) -> StackSpec:
    """Check the committed stack config before anything is deployed.

    The program checks it again when it runs; checking here first turns a
    bad value into one line and an exit before the engine starts.
    Raises ConfigError naming the key and the fix.
    """
    committed = _read_yaml(_committed_file(stack))
    if NAMESPACE + RECOVERY in _config(committed):
        raise ConfigError(
            f"Pulumi.{stack}.yaml sets {NAMESPACE}{RECOVERY}, which only the recovery plan writes",
            "remove it from the committed file; `drill recover` sets it, `drill down` drops it",
        )
    raw = {k.removeprefix(NAMESPACE): v for k, v in _config(committed).items() if k.startswith(NAMESPACE)}
    return load_stack_spec(stack, raw)


def read_recovery(paths: StatePaths, stack: str) -> RecoverySpec | None:
    """The recovery the plan wrote into this machine's copy of the stack config, if any.

    Raises ConfigError when that copy holds a recovery this version cannot read.
    """
    target = prepare_workspace(paths, stack) / _committed_file(stack).name
    config = _config(_read_yaml(target))
    if NAMESPACE + RECOVERY not in config:
        return None
    raw = {k.removeprefix(NAMESPACE): v for k, v in config.items() if k.startswith(NAMESPACE)}
    return load_stack_spec(stack, {k: v for k, v in raw.items() if k in (*SECTIONS, HOSTING)}).recovery


def write_recovery(paths: StatePaths, stack: str, recovery: RecoverySpec | None) -> None:
    """Set (or, with None, drop) the recovery in this machine's copy of the stack config."""
    target = prepare_workspace(paths, stack) / _committed_file(stack).name
    data = _read_yaml(target)
    config = _config(data)
    if recovery is None:
        config.pop(NAMESPACE + RECOVERY, None)
    else:
        config[NAMESPACE + RECOVERY] = recovery.to_config()
    data["config"] = config
    target.write_text(yaml.safe_dump(data, sort_keys=True, allow_unicode=True))


def prepare_workspace(paths: StatePaths, stack: str) -> Path:
    """Write the workspace folder for stack and return it.

    Raises ConfigError when the stack has no committed config file or it is not YAML.
    """
    source = _committed_file(stack)
    committed = _read_yaml(source)
    work = paths.root / "workspace"
    work.mkdir(parents=True, exist_ok=True)
    project = _read_yaml(PROJECT_ROOT / "Pulumi.yaml")
    # The copy sits elsewhere: point its `main` back at the program's folder.
    project["main"] = str(PROJECT_ROOT / str(project.get("main", ".")))
    (work / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False, allow_unicode=True))
    target = work / source.name
    kept = _read_yaml(target) if target.exists() else {}
    merged = {**kept, **{k: v for k, v in committed.items() if k != "config"}}
    merged["config"] = {**_config(kept), **_config(committed)}
    target.write_text(yaml.safe_dump(merged, sort_keys=True, allow_unicode=True))
    return work


def _committed_file(stack: str) -> Path:
    source = stack_config_file(stack)
    if not source.exists():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in PROJECT_ROOT.glob("Pulumi.*.yaml"))
        raise ConfigError(
            f"there is no stack config {source.name}",
            f"use one of the stacks {', '.join(known) or '(none)'} or write {source.name}",
        )
    return source


def _read_yaml(path: Path) -> dict[str, object]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML ({exc})", f"fix the syntax of {path.name}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path} does not hold a mapping", "start it with `config:`")
    return data


def _config(data: dict[str, object]) -> dict[str, object]:
    config = data.get("config", {})
    return config if isinstance(config, dict) else {}
