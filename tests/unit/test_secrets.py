"""drill up generates each missing secret once, keeps those present, and drops retired ones."""

from __future__ import annotations

from typing import cast

from pulumi import automation as auto

from drill.secrets import NAMESPACE, ensure_secrets
from infra.config import RETIRED_SECRET_KEYS, SECRET_KEYS


class FakeStack:
    """The three config calls ensure_secrets makes, over a dict."""

    def __init__(self, config: dict[str, auto.ConfigValue]) -> None:
        self.config = config

    def get_all_config(self) -> dict[str, auto.ConfigValue]:
        return dict(self.config)

    def set_config(self, key: str, value: auto.ConfigValue) -> None:
        self.config[key] = value

    def remove_config(self, key: str) -> None:
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
    made = ensure_secrets(cast(auto.Stack, stack))
    assert made == list(SECRET_KEYS[1:])
    assert stack.config[f"{NAMESPACE}:{SECRET_KEYS[0]}"] is kept
    assert not any(f"{NAMESPACE}:{k}" in stack.config for k in RETIRED_SECRET_KEYS)
    assert stack.config["other:key"].value == "untouched"
    values = [stack.config[f"{NAMESPACE}:{k}"] for k in SECRET_KEYS[1:]]
    assert all(v.secret and len(v.value) >= 32 for v in values)
    assert len({v.value for v in values}) == len(values)
    assert ensure_secrets(cast(auto.Stack, stack)) == []
