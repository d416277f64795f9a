"""The base of the testbed's exception hierarchy, and the errors the Pulumi program raises.

They live here, not in drill/errors.py, because infra never imports drill:
drill/errors.py takes these and adds the errors only the CLI's own steps raise.
Every error names the thing that is wrong and what to do about it, so that
the CLI can print it on one line and exit non-zero.
"""

from __future__ import annotations


class DrillError(Exception):
    """Base of every error the testbed raises on purpose."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what}. Fix: {fix}")
        self.what = what
        self.fix = fix


class ConfigError(DrillError):
    """The stack configuration names something unknown or holds a bad value."""


class ToolchainError(DrillError):
    """A part of the toolchain is missing, broken or cannot be built."""


class DeployError(DrillError):
    """Pulumi could not deploy, show or destroy the stack."""
