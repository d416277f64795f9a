"""Real clients of other makes over the stack's TLS, from 127.0.0.1 as a user: curl to the HTTPS
services, swaks to SMTP with STARTTLS. Each trusting the stack's CA passes; without it, or with
plain HTTP, each is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from drill.tls import make_ca
from tests.integration.conftest import Deployed

HTTPS = [("appointments", "/openapi.json", b'"openapi"'), ("lab", "/health", b'"pending"')]


@pytest.fixture
def ca_file(deployed: Deployed, tmp_path: Path) -> Path:
    path = tmp_path / "stack-ca.pem"
    path.write_text(deployed.topology.tls_ca)
    return path


def curl(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["curl", "--silent", "--max-time", "10", *args], capture_output=True, timeout=20, check=False
    )


@pytest.mark.parametrize(("service", "path", "said"), HTTPS)
def test_curl_trusting_the_stack_ca_reads_and_without_it_is_refused(
    deployed: Deployed, ca_file: Path, service: str, path: str, said: bytes
) -> None:
    url = deployed.topology.service(service).endpoint("http") + path
    assert url.startswith("https://127.0.0.1:")
    trusted = curl("--cacert", str(ca_file), "--fail", url)
    assert trusted.returncode == 0 and said in trusted.stdout, trusted.stderr
    assert curl(url).returncode == 60  # "peer certificate cannot be authenticated with known CA"
    plain = curl(url.replace("https://", "http://", 1))
    assert plain.returncode != 0 and said not in plain.stdout  # a TLS server answers no plain HTTP


def swaks(deployed: Deployed, ca: Path, to: str) -> subprocess.CompletedProcess[str]:
    smtp = urlparse(deployed.topology.service("mail").endpoint("smtp"))
    server = f"{smtp.hostname}:{smtp.port}"
    sender = f"swaks@{deployed.topology.mail.domain}"
    tls = ["--tls", "--tls-verify", "--tls-ca-path", str(ca)]
    return subprocess.run(
        ["swaks", "--server", server, "--from", sender, "--to", to, *tls, "--timeout", "15"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_swaks_sends_over_starttls_checked_and_refuses_a_server_another_ca_signed(
    deployed: Deployed, ca_file: Path, tmp_path: Path
) -> None:
    to = deployed.topology.mail.mailbox(4)
    sent = swaks(deployed, ca_file, to)
    assert sent.returncode == 0, sent.stdout[-2000:] + sent.stderr[-2000:]
    # swaks marks what crossed TLS with ~: the 250 after DATA came over it.
    assert "<-  220 2.0.0 Ready to start TLS" in sent.stdout and "<~  250 2.0.0 Ok: queued" in sent.stdout
    other = tmp_path / "other-ca.pem"
    other.write_text(make_ca("another").cert)
    refused = swaks(deployed, other, to)
    assert refused.returncode != 0 and "queued" not in refused.stdout, refused.stdout[-2000:]
