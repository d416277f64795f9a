"""The one exception hierarchy of the testbed.

Every error names the thing that is wrong and what to do about it, so that
the CLI can print it on one line and exit non-zero. The base and the errors
the Pulumi program raises are defined in infra/errors.py (infra never
imports drill) and are importable from here as well.
"""

from __future__ import annotations

from infra.errors import ConfigError, DeployError, DrillError, ToolchainError

__all__ = [
    "BenchError",
    "ConfigError",
    "DeployError",
    "DrillError",
    "EngineError",
    "ExperimentError",
    "LedgerError",
    "MatrixError",
    "PlanError",
    "RecordError",
    "RecoveryError",
    "ToolchainError",
]


class EngineError(DrillError):
    """The Docker engine is not there and cannot be started."""


class PlanError(DrillError):
    """A recovery plan file is unreadable or names something unknown."""


class RecoveryError(DrillError):
    """The recovery plan could not restore the stack: what failed, and what it cannot restore."""


class BenchError(DrillError):
    """A benchmark could not measure what it set out to (a command failed, a result is wrong)."""


class ExperimentError(DrillError):
    """An experiment file is missing or malformed."""


class RecordError(DrillError):
    """A record's file is missing, is not JSON, or holds a field that is missing or of the wrong type."""


class MatrixError(DrillError):
    """A matrix cannot run as asked (an unknown cell)."""


class LedgerError(DrillError):
    """The ledger file is unreadable or holds a malformed line."""
