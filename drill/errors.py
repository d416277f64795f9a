"""The one exception hierarchy of the testbed.

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


class EngineError(DrillError):
    """The Docker engine is not there and cannot be started."""


class DeployError(DrillError):
    """Pulumi could not deploy, show or destroy the stack."""


class PlanError(DrillError):
    """A recovery plan file is unreadable or names something unknown."""


class RecoveryError(DrillError):
    """The recovery plan could not restore the stack: what failed, and what it cannot restore."""


class BenchError(DrillError):
    """A benchmark could not measure what it set out to (a command failed, a result is wrong)."""
