"""drill up generates each missing secret once, keeps those present, and drops retired ones."""

from __future__ import annotations

from pulumi import automation as auto

from drill.backup_key import ensure_backup_key
from drill.config_batch import ConfigBatch
from drill.secrets import NAMESPACE, ensure_secrets
from drill.tls import ensure_tls, tls_servers
from infra.config import RETIRED_SECRET_KEYS, SECRET_KEYS


class FakeStack:
    """The config calls of a Pulumi stack that drill up makes, over a dict, counted."""

    def __init__(self, config: dict[str, auto.ConfigValue]) -> None:
        self.config = config
        self.name = "fake"
        self.calls: list[str] = []

    def set_all_config(self, values: dict[str, auto.ConfigValue]) -> None:
        self.calls.append("set_all_config")
        self.config.update(values)

    def remove_all_config(self, keys: list[str]) -> None:
        self.calls.append("remove_all_config")
        for key in keys:
            del self.config[key]

    def get_all_config(self) -> dict[str, auto.ConfigValue]:
        self.calls.append("get_all_config")
        return dict(self.config)

    def set_config(self, key: str, value: auto.ConfigValue) -> None:
        self.calls.append("set_config")
        self.config[key] = value

    def remove_config(self, key: str) -> None:
        self.calls.append("remove_config")
        del self.config[key]


def test_missing_secrets_are_generated_once_and_retired_ones_dropped() -> None:
    kept = auto.ConfigValue(value="kept-value", secret=True)
    stack = FakeStack(
        {
            f"{NAMESPACE}:{SECRET_KEYS[0]}": kept,
            **{f"{NAMESPACE}:{k}": auto.ConfigValue(value="old", secret=True) for k in RETIRED_SECRET_KEYS},
            "other:key": auto.ConfigValue(value="untouched"),
        }
    )
    made = ensure_secrets(stack)
    assert made == list(SECRET_KEYS[1:])
    assert stack.config[f"{NAMESPACE}:{SECRET_KEYS[0]}"] is kept
    assert not any(f"{NAMESPACE}:{k}" in stack.config for k in RETIRED_SECRET_KEYS)
    assert stack.config["other:key"].value == "untouched"
    values = [stack.config[f"{NAMESPACE}:{k}"] for k in SECRET_KEYS[1:]]
    assert all(v.secret and len(v.value) >= 32 for v in values)
    assert len({v.value for v in values}) == len(values)
    assert ensure_secrets(stack) == []


def generate_all(stack: ConfigBatch | FakeStack) -> list[str]:
    """What drill up generates, in its order, into stack."""
    made = ensure_secrets(stack)
    made += ensure_tls(stack, tls_servers("hdrp-fake", ["nord-1", "bellevue"]))
    return made + ensure_backup_key(stack)


def test_drill_up_reads_the_config_once_and_writes_it_once() -> None:
    retired = {f"{NAMESPACE}:{k}": auto.ConfigValue(value="old", secret=True) for k in RETIRED_SECRET_KEYS}
    one_by_one, batched = FakeStack(dict(retired)), FakeStack(dict(retired))
    made = generate_all(one_by_one)
    batch = ConfigBatch(batched)  # type: ignore[arg-type]  # the calls of auto.Stack it makes
    assert generate_all(batch) == made
    assert batched.calls == ["get_all_config"]  # nothing written before the flush
    batch.flush()
    assert batched.calls == ["get_all_config", "set_all_config", "remove_all_config"]
    assert one_by_one.calls.count("set_config") == len(made) > 20
    assert set(batched.config) == set(one_by_one.config)
    assert all(value.secret for value in batched.config.values())
    again = ConfigBatch(batched)  # type: ignore[arg-type]
    assert generate_all(again) == []
    again.flush()
    assert batched.calls[3:] == ["get_all_config"]  # a later drill up only reads


def test_a_batch_sees_its_own_changes() -> None:
    stack = FakeStack({"a:kept": auto.ConfigValue(value="1"), "a:gone": auto.ConfigValue(value="2")})
    batch = ConfigBatch(stack)  # type: ignore[arg-type]
    batch.set_config("a:new", auto.ConfigValue(value="3"))
    batch.remove_config("a:gone")
    batch.remove_config("a:never-there")
    assert {k: v.value for k, v in batch.get_all_config().items()} == {"a:kept": "1", "a:new": "3"}
    batch.set_config("a:gone", auto.ConfigValue(value="4"))  # set again after a removal: kept
    batch.flush()
    assert {k: v.value for k, v in stack.config.items()} == {"a:kept": "1", "a:gone": "4", "a:new": "3"}
    assert stack.calls == ["get_all_config", "set_all_config"]
