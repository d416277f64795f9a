"""Where the project keeps what it builds and what it runs.

Everything the toolchain makes lives under the state folder (`.state/` in the
checkout unless HOSPITAL_DRP_STATE says otherwise), which git ignores.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class StatePaths:
    """The folders and files of the project-local state."""

    root: Path

    @property
    def tools_bin(self) -> Path:
        """Binaries we build (the Pulumi CLI)."""
        return self.root / "tools" / "bin"

    @property
    def pulumi_home(self) -> Path:
        """PULUMI_HOME: plugins and the engine's own settings."""
        return self.root / "pulumi-home"

    @property
    def backend(self) -> Path:
        """The local file backend that holds stack state."""
        return self.root / "pulumi-backend"

    def ca_file(self, stack: str) -> Path:
        """Where `drill up` leaves the stack's CA certificate (public) for clients outside drill:
        curl --cacert, the experiments' probes under a plain `chaos run`."""
        return self.root / "tls" / f"{stack}-ca.pem"

    def directory_file(self, stack: str) -> Path:
        """The users' directory of the stack: where each published port's service stands now
        (drill/workload/clients.py reads it; every deploy writes it)."""
        return self.root / "directory" / f"{stack}.json"

    @property
    def passphrase_file(self) -> Path:
        """The passphrase that encrypts stack secrets, generated once."""
        return self.root / "passphrase"

    @property
    def build(self) -> Path:
        """Scratch space for builds (sources fetched from the Go module proxy)."""
        return self.root / "build"

    @property
    def logs(self) -> Path:
        """Logs of background processes such as dockerd."""
        return self.root / "logs"


def state_paths() -> StatePaths:
    """Return the state folders, honouring HOSPITAL_DRP_STATE."""
    override = os.environ.get("HOSPITAL_DRP_STATE")
    return StatePaths(Path(override).resolve() if override else PROJECT_ROOT / ".state")
