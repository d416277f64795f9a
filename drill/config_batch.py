"""A stack's config read once and written once, for what `drill up` generates into it.

Each Pulumi CLI call that reads or writes a secret opens the stack and
derives the passphrase's key again: about 0.45 s here, whatever it carries.
ensure_secrets, ensure_tls and ensure_backup_key set one key at a time;
through a ConfigBatch their reads share one `get_all_config` and their
writes go in one `set_all_config` (and one `remove_all_config`). On a new
stack that is 2 calls instead of 28 (about 12 s); on every later `drill up`,
1 read instead of 3.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from pulumi import automation as auto


class ConfigStore(Protocol):
    """The config calls the generators make: a Pulumi stack, or a batch over one."""

    @property
    def name(self) -> str: ...

    def get_all_config(self) -> Mapping[str, auto.ConfigValue]: ...

    def set_config(self, key: str, value: auto.ConfigValue) -> None: ...

    def remove_config(self, key: str) -> None: ...


class ConfigBatch:
    """The stack's config as read once, with the changes made to it since; flush() writes them."""

    def __init__(self, stack: auto.Stack) -> None:
        self.stack = stack
        self.present = stack.get_all_config()
        self.changed: dict[str, auto.ConfigValue] = {}
        self.removed: set[str] = set()

    @property
    def name(self) -> str:
        return self.stack.name

    def get_all_config(self) -> dict[str, auto.ConfigValue]:
        kept = {key: value for key, value in self.present.items() if key not in self.removed}
        return kept | self.changed

    def set_config(self, key: str, value: auto.ConfigValue) -> None:
        self.removed.discard(key)
        self.changed[key] = value

    def remove_config(self, key: str) -> None:
        self.changed.pop(key, None)
        if key in self.present:
            self.removed.add(key)

    def flush(self) -> None:
        """Write what was set, remove what was removed: one CLI call each, none when nothing changed."""
        if self.changed:
            self.stack.set_all_config(self.changed)
        if self.removed:
            self.stack.remove_all_config(sorted(self.removed))
