"""The service images the program deploys, built locally FROM the base image, keyed by content.

An image is tagged with a hash of every file it may be built from (its own
folder, services/common and the files at the top of services/, such as the
package's __init__.py) and of the base image, so an unchanged service is
never rebuilt and a changed one gets a new tag, which Pulumi sees as a change
of the containers that run it.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors

from infra.docker_hosts import LOCAL_ENGINE, docker_client
from infra.errors import ToolchainError

log = logging.getLogger(__name__)

# What every service image builds FROM; the toolchain makes it (drill/toolchain/base_image.py).
BASE_IMAGE = "hospital-drp/base:bookworm"
# Every image builds with services/ as its context, so that all can copy services/common/ and the
# package's own files; each image's folder is named as its field here (an importable package).
SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"
IMAGE_REPOSITORIES = {
    "intranet": "hospital-drp/intranet",
    "intranet_lb": "hospital-drp/intranet-lb",
    "postgres": "hospital-drp/postgres",
    "vault": "hospital-drp/vault",
    "appointments": "hospital-drp/appointments",
    "lab_gateway": "hospital-drp/lab-gateway",
    "lab_analyser": "hospital-drp/lab-analyser",
    "mailstore": "hospital-drp/mailstore",
    "mail_front": "hospital-drp/mail-front",
}


@dataclass(frozen=True)
class ServiceImages:
    """Image references (name:content-hash) of every service image."""

    intranet: str
    intranet_lb: str
    postgres: str
    vault: str
    appointments: str
    lab_gateway: str
    lab_analyser: str
    mailstore: str
    mail_front: str


def image_id(name: str) -> str | None:
    """Return the local image's id, or None when the engine has no such image."""
    done = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", name],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return done.stdout.decode().strip() or None if done.returncode == 0 else None


def build_inputs(folder: str, services: Path = SERVICES_DIR) -> list[Path]:
    """Every file an image may be built from: its folder's, services/common's and services/'s own, sorted."""
    trees = [services / folder, services / "common"]
    files = [p for tree in trees for p in tree.rglob("*")] + list(services.iterdir())
    return sorted(p for p in set(files) if p.is_file() and "__pycache__" not in p.parts)


def content_tag(files: list[Path], root: Path, base_id: str) -> str:
    """A short hash of files (their names under root and their bytes) and the base image id."""
    digest = hashlib.sha256(base_id.encode())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_service_images() -> ServiceImages:
    """Build every missing service image; return the references of all of them.

    Raises ToolchainError when the base image is missing or a build fails.
    """
    base_id = image_id(BASE_IMAGE)
    if base_id is None:
        raise ToolchainError(f"the base image {BASE_IMAGE} is missing", "run `make bootstrap` to make it")
    client = docker_client(LOCAL_ENGINE, timeout_s=600)
    refs = {}
    for field, repository in IMAGE_REPOSITORIES.items():
        folder = SERVICES_DIR / field
        ref = f"{repository}:{content_tag(build_inputs(field), SERVICES_DIR, base_id)}"
        refs[field] = ref
        if image_id(ref):
            continue
        started = time.monotonic()
        log.info("building image %s…", ref)
        _build(client, folder, ref)
        log.info("[green]✓[/] image %s built in %.1f s", ref, time.monotonic() - started)
        _remove_older_tags(client, ref)
    return ServiceImages(**refs)


def _remove_older_tags(client: docker.DockerClient, ref: str) -> None:
    """Remove the earlier builds of ref's repository that no container uses, to bound the disk."""
    repository = ref.rsplit(":", 1)[0]
    for image in client.images.list(name=repository):
        for tag in image.tags:
            if tag != ref:
                try:
                    client.images.remove(tag)
                except docker.errors.APIError:
                    log.debug("keeping %s: a container still uses it", tag)


def _build(client: docker.DockerClient, folder: Path, ref: str) -> None:
    try:
        client.images.build(
            path=str(SERVICES_DIR),
            dockerfile=f"{folder.name}/Dockerfile",
            tag=ref,
            buildargs={"BASE": BASE_IMAGE},
            rm=True,
            pull=False,
        )
    except docker.errors.BuildError as exc:
        lines = [str(chunk.get("stream", chunk.get("error", ""))).strip() for chunk in exc.build_log]
        tail = " | ".join(line for line in lines if line)[-400:]
        raise ToolchainError(
            f"building {ref} from {folder} failed: {tail}", f"fix {folder}/Dockerfile and run again"
        ) from exc
    except docker.errors.APIError as exc:
        raise ToolchainError(
            f"building {ref} failed: {exc}", "check the Docker engine (`drill doctor`)"
        ) from exc
