#!/usr/bin/env python3
"""Fetch what a restore needs from a vault's HTTP export (vault_export.py) into a local folder.

usage:
  vault-fetch postgres URL DEST   the newest complete base backup into DEST/base/<name>/
                                  and every WAL file it needs (the export's restore
                                  set: from the segment its backup_label starts at)
                                  into DEST/wal/
  vault-fetch tree URL DIR DEST   the folder DIR of the export into DEST
Exits 1 with one line on stderr when the vault does not answer, refuses the
credential or holds nothing.

The export wants the stack's token for it: read from the file named by
VAULT_TOKEN_FILE and sent as `Authorization: Bearer <token>` on every request.
It speaks HTTPS only; its certificate is checked against the stack's CA, read
from the file named by VAULT_CA_FILE (/run/secrets/tls_ca_cert when unset),
and must name the host of the URL.

Standard library only, and importing nothing of ours: the storage array's
and the mail store's images install it as the script /usr/local/bin/vault-fetch.
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

TIMEOUT_S = 30
DEFAULT_CA = "/run/secrets/tls_ca_cert"


def token() -> str:
    """The export's credential, from the file VAULT_TOKEN_FILE names."""
    path = os.environ.get("VAULT_TOKEN_FILE", "")
    if not path:
        raise LookupError("VAULT_TOKEN_FILE is not set: name the file that holds the vault's token")
    try:
        return Path(path).read_text().strip()
    except OSError as exc:
        raise LookupError(f"cannot read the vault's token from {path}: {exc.strerror}") from exc


def get(url: str) -> urllib.request.Request:
    """A GET of url that carries the export's credential (an https:// URL only)."""
    if not url.startswith("https://"):
        raise ValueError(f"the vault's export is an https:// URL, not {url!r}")
    return urllib.request.Request(url, headers={"Authorization": f"Bearer {token()}"})  # noqa: S310 (checked above)


def tls() -> ssl.SSLContext:
    """A client context that trusts the stack's CA alone and checks the server's name."""
    path = os.environ.get("VAULT_CA_FILE") or DEFAULT_CA
    try:
        context = ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise LookupError(f"cannot read the stack's CA from {path}: {exc}") from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def urlopen(url: str) -> Any:
    """GET url from the export, over TLS checked against the stack's CA."""
    return urllib.request.urlopen(get(url), timeout=TIMEOUT_S, context=tls())  # noqa: S310 (https only)


def restore_set(url: str) -> dict[str, object]:
    """What the export at url says a restore reads: newest complete base backup, start, WAL files."""
    with urlopen(f"{url}/restore-set") as answer:
        found = json.loads(answer.read())
    if not isinstance(found, dict):
        raise ValueError(f"the vault at {url} answered {found!r} for its restore set")
    return found


def unpack(url: str, folder: str, dest: Path, since: str = "") -> None:
    """Stream folder of the export as tar into dest (WAL segments from since on, when given)."""
    dest.mkdir(parents=True, exist_ok=True)
    query = f"?since={since}" if since else ""
    answer = urlopen(f"{url}/tar/{folder}{query}")
    with answer, tarfile.open(fileobj=answer, mode="r|") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # a Python without extraction filters: the export is our own vault
            tar.extractall(dest)  # noqa: S202


def fetch_postgres(url: str, dest: Path) -> str:
    """The newest complete base backup and the WAL it needs; return the base backup's name."""
    wanted = restore_set(url)
    newest = wanted.get("base")
    if not newest:
        raise LookupError(f"the vault at {url} holds no complete base backup")
    unpack(url, f"base/{newest}", dest / "base" / str(newest))
    unpack(url, "wal", dest / "wal", since=str(wanted.get("start", "")))
    return str(newest)


def main() -> int:
    """Fetch as the command line says; return the exit code (1 with one line on stderr on failure)."""
    try:
        if sys.argv[1] == "postgres":
            name = fetch_postgres(sys.argv[2].rstrip("/"), Path(sys.argv[3]))
            print(f"vault-fetch: base backup {name} and WAL from {sys.argv[2]}")
        elif sys.argv[1] == "tree":
            unpack(sys.argv[2].rstrip("/"), sys.argv[3], Path(sys.argv[4]))
            print(f"vault-fetch: {sys.argv[3]} from {sys.argv[2]}")
        else:
            raise LookupError(f"unknown kind {sys.argv[1]!r}: use postgres or tree")
    except (OSError, LookupError, ValueError, tarfile.TarError, urllib.error.URLError) as exc:
        print(f"vault-fetch: cannot fetch from the vault: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
