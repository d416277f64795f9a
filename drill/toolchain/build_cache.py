"""The machine's cache of what the toolchain builds with Go, shared by every checkout.

Building the Pulumi CLI, the docker plugin or Compose links large binaries:
tens of seconds even when Go's own caches are warm. A product is kept here
under a key of everything that makes it (the recipe files under toolchain/,
the version and link flags, the Go version), so a fresh clone on a machine
that built the same product before copies it instead. A copy that does not
work is dropped and built again; only a product that works is kept.

Where: $HOSPITAL_DRP_BUILD_CACHE, else $XDG_CACHE_HOME/hospital-drp/builds,
else ~/.cache/hospital-drp/builds. Deleting it only costs a build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from drill.errors import ToolchainError
from drill.process import is_installed, run_command

FROM_CACHE = "copied from this machine's build cache"


def cache_dir() -> Path:
    """The folder of cached products."""
    if chosen := os.environ.get("HOSPITAL_DRP_BUILD_CACHE"):
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hospital-drp" / "builds"


def recipe_key(recipe: Iterable[Path], *settings: str) -> str:
    """A digest of the recipe's files (folders walked), the settings and the Go version."""
    digest = hashlib.sha256()
    go = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, check=False)
    for part in (*settings, go.stdout.decode().strip()):
        digest.update(part.encode() + b"\0")
    for top in recipe:
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for path in files:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


@dataclass(frozen=True)
class Built:
    """What build_once put in place: what its check said of it (None: it does not work), and
    whether it came from the cache."""

    found: str | None
    cached: bool

    def said(self, description: str) -> str:
        """The product's description, telling when it came from the cache."""
        return f"{description} ({FROM_CACHE})" if self.cached else description


def build_once(
    name: str, key: str, product: Path, build: Callable[[], None], describe: Callable[[], str | None]
) -> Built:
    """Put a working product in place: copied from the cache when it holds one for key, else built
    (and then kept). describe checks it: what it says, or None when the product does not work."""
    entry = cache_dir() / f"{name}-{key}"
    if entry.is_file():
        _place(entry, product)
        if found := describe():
            return Built(found, cached=True)
        entry.unlink(missing_ok=True)
    build()
    found = describe()
    if found:
        _place(product, entry)
    return Built(found, cached=False)


def go_build_once(
    name: str, builder: Path, package: str, ldflags: str, output: Path, describe: Callable[[], str | None]
) -> Built:
    """`go build` package through the builder module (go.mod + go.sum) into output, unless the cache
    holds it (build_once)."""
    if not is_installed("go"):
        raise ToolchainError("Go is not installed", "install Go 1.26 or newer and put `go` on PATH")
    output.parent.mkdir(parents=True, exist_ok=True)

    def build() -> None:
        run_command(
            ["go", "build", "-trimpath", "-ldflags", ldflags, "-o", str(output), package],
            cwd=builder,
            timeout=3600,
            fix=f"check that the Go module proxy is reachable, then run `go build` in {builder}",
        )

    # The key leaves out the output path: every checkout shares the product.
    return build_once(name, recipe_key([builder], ldflags, package), output, build, describe)


def _place(source: Path, target: Path) -> None:
    """Copy source to target whole or not at all (a copy cut short never stands as the product)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copy2(source, partial)
    os.replace(partial, target)
