#!/usr/bin/env python3
"""A read-only HTTPS export of a vault folder, reached over the backup link only.

What a restore in another room needs and nothing more:
  GET /list/<dir>   JSON list of the entries of <dir> (names, sorted)
  GET /tar/<dir>    <dir> as an uncompressed tar stream
  GET /tar/<dir>?since=<WAL file name>
                    the same without the WAL segments older than that one
                    (by log and segment number, whatever the timeline):
                    what a restore from a base backup does not need
  GET /restore-set  JSON {"base", "start", "wal"}: the newest complete base
                    backup under base/, the WAL file its backup_label starts
                    at ("" when it names none) and the files of wal/ a
                    restore from it reads (none older than the start)
Paths are relative to the exported root and may not leave it.

The vault encrypts what it holds (services/vault/vault.py): a base backup's
tar and each completed WAL segment are `<name>.age`, readable only with the
stack's backup key, which the export never has. A base backup keeps its
backup_label in clear beside the sealed tar, so that the restore set still
says where its WAL starts. A file the vault seals while a tar stream lists
its folder is sent sealed; `.tmp` files (a seal in progress) are never sent.

Every request must carry the export's credential, `Authorization: Bearer
<token>`, the token read from TOKEN_FILE (a secret generated per stack and
uploaded only to what stands on the restore path). A request without it, or
with another, gets 401 and is logged with its address: the backup link is
not trusted to say who asks.

The export speaks HTTPS only (TLS 1.2 or newer), with the certificate the
stack's CA issued for its host names (CERT_FILE, KEY_FILE): a client checks
it against the stack's CA, and the token never crosses the link in clear.
A connection that does not open with a TLS handshake is closed and logged.

usage: vault-export ROOT PORT TOKEN_FILE CERT_FILE KEY_FILE [ADDRESS]
                                       (ADDRESS: a name or IP to bind to; every
                                       address when left out)
       vault-export --restore-set ROOT   print the restore set and exit

Standard library only, and importing nothing of ours: the vault runs it as
`python3 -m services.common.vault_export`, the mail vault's copy as the
script /usr/local/bin/vault-export.
"""

from __future__ import annotations

import hmac
import json
import re
import ssl
import sys
import tarfile
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socket import IPPROTO_TCP, TCP_NODELAY, socket
from urllib.parse import parse_qs, unquote

SEGMENT = re.compile(r"^[0-9A-F]{24}(\.partial|\.age)?$")
SEALED = ".age"
SEALING = ".tmp"


def older_segment(name: str, since: str) -> bool:
    """Whether name is a WAL segment before since (compared by log and segment, not timeline)."""
    return bool(since) and SEGMENT.match(name) is not None and name[8:24] < since[8:24]


def backup_label(backup: Path) -> str:
    """A base backup folder's backup_label: its clear copy beside a sealed tar, or the one in its
    base.tar ("" when neither can be read)."""
    try:
        return (backup / "backup_label").read_text()
    except OSError:
        pass
    try:
        with tarfile.open(backup / "base.tar") as tar:
            member = tar.extractfile("backup_label")
            return member.read().decode() if member else ""
    except (OSError, KeyError, tarfile.TarError):
        return ""


def start_segment(backup: Path) -> str:
    """The WAL file a base backup folder starts at, from its backup_label ("" when it names none)."""
    label = backup_label(backup)
    found = re.search(r"^START WAL LOCATION: .* \(file ([0-9A-F]{24})\)$", label, re.MULTILINE)
    return found.group(1) if found else ""


def sendable(folder: Path) -> list[Path]:
    """The entries of folder to send, sorted: no seal in progress, and a file sealed since it was
    written sent once, sealed."""
    names = {p.name for p in folder.iterdir() if not p.name.endswith(SEALING)}
    return [folder / n for n in sorted(names) if n + SEALED not in names]


def sealed_if_gone(entry: Path) -> Path:
    """entry, or its sealed twin when the vault sealed it (and removed it) since it was listed."""
    if entry.exists() or entry.name.endswith(SEALED):
        return entry
    return entry.with_name(entry.name + SEALED)


def restore_set(root: Path) -> dict[str, object]:
    """What a restore from the newest complete base backup under root reads."""
    base, wal = root / "base", root / "wal"
    backups = base.iterdir() if base.is_dir() else iter(())
    complete = sorted(p.name for p in backups if p.is_dir() and not p.name.endswith(".partial"))
    if not complete:
        return {"base": None, "start": "", "wal": []}
    start = start_segment(base / complete[-1])
    segments = sendable(wal) if wal.is_dir() else []
    needed = [p.name for p in segments if not older_segment(p.name, start)]
    return {"base": complete[-1], "start": start, "wal": needed}


def read_token(path: Path) -> str:
    """The credential in path, stripped; refuses an empty or unreadable one by name."""
    try:
        token = path.read_text().strip()
    except OSError as exc:
        raise SystemExit(f"vault-export: cannot read the token file {path}: {exc.strerror}") from exc
    if len(token) < 16:
        raise SystemExit(f"vault-export: the token in {path} is shorter than 16 characters: generate one")
    return token


class Export(BaseHTTPRequestHandler):
    """Answers /list/<dir> and /tar/<dir> under the root, to a request that carries the token."""

    root = Path("/")
    token = ""
    timeout = 60  # a client that opens and says nothing (or stalls a handshake) is let go

    def authorised(self) -> bool:
        """Whether the request carries the token; answers 401 and logs the refusal when not."""
        given = self.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() == "bearer" and self.token and hmac.compare_digest(value.strip(), self.token):
            return True
        why = "no credential" if not given else "a wrong credential"
        sys.stderr.write(
            f"vault-export: refused {self.command} {self.path} from {self.client_address[0]}: {why}\n"
        )
        body = b"a credential is required: Authorization: Bearer <the stack's vault token>\n"
        self.send_response(HTTPStatus.UNAUTHORIZED)
        self.send_header("WWW-Authenticate", 'Bearer realm="vault-export"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return False

    def do_HEAD(self) -> None:
        """HEAD is refused like GET without the token, and answered 405 with it."""
        if self.authorised():
            self.send_error(HTTPStatus.METHOD_NOT_ALLOWED, "the export answers GET only")

    def do_GET(self) -> None:
        """Answer /restore-set, /list/<dir> or /tar/<dir>; 404 for anything else or outside the root."""
        if not self.authorised():
            return
        path, _, query = self.path.partition("?")
        if path == "/restore-set":
            self.send_json(restore_set(self.root))
            return
        kind, _, rest = path.lstrip("/").partition("/")
        folder = self.inside(unquote(rest))
        since = parse_qs(query).get("since", [""])[0]
        if folder is None or not folder.is_dir() or kind not in ("list", "tar"):
            self.send_error(HTTPStatus.NOT_FOUND, "no such folder in the vault")
            return
        if kind == "list":
            self.send_json([p.name for p in sendable(folder)])
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/x-tar")
        self.end_headers()
        with tarfile.open(fileobj=self.wfile, mode="w|") as tar:
            for entry in sendable(folder):
                if not older_segment(entry.name, since):
                    sent = sealed_if_gone(entry)
                    tar.add(sent, arcname=sent.name)

    def send_json(self, value: object) -> None:
        """Send value as JSON."""
        body = json.dumps(value).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def inside(self, relative: str) -> Path | None:
        """The folder relative names under the root, or None when it would leave the root."""
        target = (self.root / relative).resolve()
        return target if target == self.root or self.root in target.parents else None

    def log_message(self, format: str, *args: object) -> None:
        """Log each request to stderr, named as the export's."""
        sys.stderr.write(f"vault-export: {format % args}\n")


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server context of TLS 1.2 or newer with cert and key; refuses unreadable ones by name."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise SystemExit(f"vault-export: cannot load the certificate {cert} and key {key}: {exc}") from exc
    return context


class TlsServer(ThreadingHTTPServer):
    """Each connection's TLS handshake in its own thread (one slow or plaintext client holds up no
    other), and a connection that is not TLS closed with one line in the log, not a traceback."""

    daemon_threads = True
    context: ssl.SSLContext

    def get_request(self) -> tuple[socket, object]:
        conn, address = self.socket.accept()
        conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)  # no 40 ms wait on the client's delayed ACK
        return self.context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ssl.SSLError | ConnectionError | TimeoutError):
            host = client_address[0] if isinstance(client_address, tuple) else client_address
            sys.stderr.write(f"vault-export: refused a connection from {host}: no TLS handshake ({error})\n")
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def main() -> int:
    """Serve ROOT on PORT forever, or print ROOT's restore set; return the exit code."""
    if sys.argv[1] == "--restore-set":
        print(json.dumps(restore_set(Path(sys.argv[2]))))
        return 0
    if len(sys.argv) not in (6, 7):
        raise SystemExit("usage: vault-export ROOT PORT TOKEN_FILE CERT_FILE KEY_FILE [ADDRESS]")
    Export.root = Path(sys.argv[1]).resolve()
    Export.token = read_token(Path(sys.argv[3]))
    TlsServer.context = tls_context(Path(sys.argv[4]), Path(sys.argv[5]))
    address = sys.argv[6] if len(sys.argv) == 7 else "0.0.0.0"  # noqa: S104 - the vault's one link
    server = TlsServer((address, int(sys.argv[2])), Export)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
