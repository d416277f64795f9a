"""The vault's export and a restore's fetch, over real HTTPS on 127.0.0.1: only the WAL a restore needs."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drill.paths import PROJECT_ROOT
from drill.tls import issue, make_ca
from services.common import vault_export as EXPORT
from services.common import vault_fetch as FETCH

LABEL = "START WAL LOCATION: 0/3000028 (file 000000010000000000000003)\nCHECKPOINT LOCATION: 0/3000060\n"


def base_tar(label: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (("backup_label", label.encode()), ("PG_VERSION", b"15\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


TOKEN = "a-token-for-the-unit-vault-0123456789"


CA = make_ca("unit")
SERVER = issue(CA, ["localhost"])


def authorised(url: str, token: str = TOKEN) -> urllib.request.Request:
    return urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})


def urlopen(request: urllib.request.Request) -> Any:
    """Open request as a restore would: over TLS, trusting the stack's CA alone."""
    return urllib.request.urlopen(request, timeout=5, context=FETCH.tls())


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "token").write_text(TOKEN + "\n")
    monkeypatch.setenv("VAULT_TOKEN_FILE", str(tmp_path / "token"))
    for name, text in (("ca.pem", CA.cert), ("cert.pem", SERVER.cert), ("key.pem", SERVER.key)):
        (tmp_path / name).write_text(text)
    monkeypatch.setenv("VAULT_CA_FILE", str(tmp_path / "ca.pem"))
    monkeypatch.setattr(
        EXPORT.TlsServer,
        "context",
        EXPORT.tls_context(tmp_path / "cert.pem", tmp_path / "key.pem"),
        raising=False,
    )
    monkeypatch.setattr(EXPORT.Export, "token", EXPORT.read_token(tmp_path / "token"))
    root = tmp_path / "vault"
    (root / "base" / "20261128T000000Z").mkdir(parents=True)
    (root / "base" / "20261128T000000Z" / "base.tar").write_bytes(base_tar(LABEL))
    (root / "wal").mkdir()
    for name in (
        "000000010000000000000001",
        "000000010000000000000002",
        "000000010000000000000003",
        "000000010000000000000004",
        "00000002.history",
        "000000020000000000000004.partial",
    ):
        (root / "wal" / name).write_bytes(name.encode())
    EXPORT.Export.root = root.resolve()
    server = EXPORT.TlsServer(("127.0.0.1", 0), EXPORT.Export)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield f"https://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_a_restore_fetches_the_base_backup_and_the_wal_from_where_it_starts(
    vault: str, tmp_path: Path
) -> None:
    dest = tmp_path / "fetched"
    assert FETCH.fetch_postgres(vault, dest) == "20261128T000000Z"
    assert (dest / "base" / "20261128T000000Z" / "base.tar").read_bytes() == base_tar(LABEL)
    assert sorted(p.name for p in (dest / "wal").iterdir()) == [
        "000000010000000000000003",
        "000000010000000000000004",
        "00000002.history",
        "000000020000000000000004.partial",
    ]


def test_without_a_start_in_the_label_every_wal_file_is_fetched(vault: str, tmp_path: Path) -> None:
    base = Path(str(EXPORT.Export.root)) / "base" / "20261128T000000Z" / "base.tar"
    base.write_bytes(base_tar("nothing useful\n"))
    FETCH.fetch_postgres(vault, tmp_path / "fetched")
    assert len(list((tmp_path / "fetched" / "wal").iterdir())) == 6


@pytest.mark.parametrize(
    ("name", "older"),
    [
        ("000000010000000000000002", True),
        ("000000020000000000000002.partial", True),  # another timeline, still before the start
        ("000000010000000000000003", False),
        ("000000010000000100000000", False),  # a later log file
        ("00000002.history", False),
        ("status.json", False),
    ],
)
def test_older_segments_are_told_by_log_and_segment(name: str, older: bool) -> None:
    assert EXPORT.older_segment(name, "000000010000000000000003") is older
    assert EXPORT.older_segment(name, "") is False


def test_the_export_never_leaves_its_root(vault: str) -> None:
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urlopen(authorised(f"{vault}/tar/..%2F..%2Fetc"))


def test_the_restore_set_names_the_newest_complete_backup_and_the_wal_it_needs(vault: str) -> None:
    root = Path(str(EXPORT.Export.root))
    (root / "base" / "20261129T000000Z.partial").mkdir()  # a base backup still being written
    with urlopen(authorised(f"{vault}/restore-set")) as answer:
        served = json.loads(answer.read())
    assert served == {
        "base": "20261128T000000Z",
        "start": "000000010000000000000003",
        "wal": [
            "000000010000000000000003",
            "000000010000000000000004",
            "00000002.history",
            "000000020000000000000004.partial",
        ],
    }
    script = PROJECT_ROOT / "services" / "common" / "vault_export.py"
    for argv in ([str(script)], ["-m", "services.common.vault_export"]):
        printed = subprocess.run(
            [sys.executable, *argv, "--restore-set", str(root)],
            capture_output=True,
            check=True,
            cwd=PROJECT_ROOT,
        )
        # What the benchmark reads in the vault container (the script) and what the vault runs (the module).
        assert json.loads(printed.stdout) == served


def test_a_vault_without_a_complete_base_backup_is_refused_by_name(vault: str, tmp_path: Path) -> None:
    root = Path(str(EXPORT.Export.root))
    (root / "base" / "20261128T000000Z").rename(root / "base" / "20261128T000000Z.partial")
    with pytest.raises(LookupError, match="holds no complete base backup"):
        FETCH.fetch_postgres(vault, tmp_path / "fetched")


@pytest.mark.parametrize(
    "path", ["/restore-set", "/list/wal", "/tar/base/20261128T000000Z", "/tar/wal", "/nothing"]
)
@pytest.mark.parametrize(
    "credential", [None, "Bearer not-the-token", "Basic " + TOKEN, TOKEN, f"Bearer {TOKEN}x"]
)
def test_a_request_without_the_token_is_refused_and_logged(
    vault: str, path: str, credential: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = {"Authorization": credential} if credential is not None else {}
    request = urllib.request.Request(f"{vault}{path}", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urlopen(request)
    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"].startswith("Bearer")
    assert b"WAL" not in refused.value.read()
    logged = capsys.readouterr().err
    why = "no credential" if credential is None else "a wrong credential"
    assert f"refused GET {path} from 127.0.0.1: {why}" in logged


def test_a_fetch_with_a_wrong_token_fails_by_name_and_writes_nothing(
    vault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "wrong").write_text("a-token-of-another-stack-000000000")
    monkeypatch.setenv("VAULT_TOKEN_FILE", str(tmp_path / "wrong"))
    monkeypatch.setattr(sys, "argv", ["vault-fetch", "postgres", vault, str(tmp_path / "fetched")])
    assert FETCH.main() == 1
    assert "HTTP Error 401" in capsys.readouterr().err
    assert not (tmp_path / "fetched").exists()


def test_a_fetch_without_a_token_file_names_the_setting(
    vault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("VAULT_TOKEN_FILE")
    monkeypatch.setattr(sys, "argv", ["vault-fetch", "tree", vault, "wal", str(tmp_path / "fetched")])
    assert FETCH.main() == 1
    assert "VAULT_TOKEN_FILE is not set" in capsys.readouterr().err


@pytest.mark.parametrize("content", [None, "", "short"])
def test_the_export_refuses_to_start_without_a_usable_token(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "token"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit, match=str(path)):
        EXPORT.read_token(path)


def test_a_plaintext_request_gets_nothing_and_is_logged(
    vault: str, capsys: pytest.CaptureFixture[str]
) -> None:
    port = int(vault.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"GET /restore-set HTTP/1.0\r\nAuthorization: Bearer {TOKEN}\r\n\r\n".encode())
        answer = b""
        with contextlib.suppress(ConnectionError):
            while chunk := conn.recv(4096):
                answer += chunk
    assert b"HTTP/" not in answer and b"base" not in answer  # no HTTP answer, no data: a TLS alert at most
    deadline = time.monotonic() + 5
    while "refused a connection from 127.0.0.1: no TLS handshake" not in (logged := capsys.readouterr().err):
        assert time.monotonic() < deadline, logged
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("ca", "host", "said"),
    [
        (make_ca("another").cert, "localhost", "certificate verify failed"),
        (CA.cert, "127.0.0.1", "IP address mismatch"),  # the certificate names the host, not an address
    ],
)
def test_a_fetch_from_a_server_the_stack_did_not_certify_fails_by_name_and_writes_nothing(
    vault: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ca: str,
    host: str,
    said: str,
) -> None:
    (tmp_path / "other-ca.pem").write_text(ca)
    monkeypatch.setenv("VAULT_CA_FILE", str(tmp_path / "other-ca.pem"))
    url = vault.replace("localhost", host)
    monkeypatch.setattr(sys, "argv", ["vault-fetch", "postgres", url, str(tmp_path / "fetched")])
    assert FETCH.main() == 1
    assert said in capsys.readouterr().err
    assert not (tmp_path / "fetched").exists()


def test_a_fetch_from_a_plain_http_url_is_refused_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAULT_TOKEN_FILE", str(tmp_path / "token"))
    monkeypatch.setattr(
        sys, "argv", ["vault-fetch", "tree", "http://localhost:1", "wal", str(tmp_path / "f")]
    )
    assert FETCH.main() == 1
    assert "is an https:// URL, not 'http://localhost:1/tar/wal'" in capsys.readouterr().err
