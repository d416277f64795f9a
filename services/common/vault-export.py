#!/usr/bin/env python3
"""A read-only HTTP export of a vault folder, reached over the backup link only.

What a restore in another room needs and nothing more:
  GET /list/<dir>   JSON list of the entries of <dir> (names, sorted)
  GET /tar/<dir>    <dir> as an uncompressed tar stream
Paths are relative to the exported root and may not leave it.

usage: vault-export.py ROOT PORT
"""

from __future__ import annotations

import json
import sys
import tarfile
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote


class Export(BaseHTTPRequestHandler):
    """Answers /list/<dir> and /tar/<dir> under the root."""

    root = Path("/")

    def do_GET(self) -> None:
        kind, _, rest = self.path.lstrip("/").partition("/")
        folder = self.inside(unquote(rest))
        if folder is None or not folder.is_dir() or kind not in ("list", "tar"):
            self.send_error(HTTPStatus.NOT_FOUND, "no such folder in the vault")
            return
        self.send_response(HTTPStatus.OK)
        if kind == "list":
            body = json.dumps(sorted(p.name for p in folder.iterdir())).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_header("Content-Type", "application/x-tar")
        self.end_headers()
        with tarfile.open(fileobj=self.wfile, mode="w|") as tar:
            tar.add(folder, arcname=".")

    def inside(self, relative: str) -> Path | None:
        """The folder relative names under the root, or None when it would leave the root."""
        target = (self.root / relative).resolve()
        return target if target == self.root or self.root in target.parents else None

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"vault-export: {format % args}\n")


def main() -> int:
    Export.root = Path(sys.argv[1]).resolve()
    server = ThreadingHTTPServer(("0.0.0.0", int(sys.argv[2])), Export)  # noqa: S104 - internal backup link only
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
