"""The service images put into every Docker host that runs them: there is no registry.

Images are built on the machine's engine (infra/images.py). A room on a host
of its own gets them by `docker save` from there and `docker load` into its
engine: one stream per host holding every image it lacks (their shared
layers once), from the Engine API's GET /images/get straight into POST
/images/load, never whole in memory or on disk; the hosts are loaded at
once, each from a stream of its own. An image the host already holds (by
id) is skipped; the local engine is never loaded into itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import docker
import docker.errors

from infra.docker_hosts import LOCAL_ENGINE, docker_client
from infra.errors import ToolchainError

log = logging.getLogger(__name__)
CHUNK = 1 << 20


@dataclass(frozen=True)
class Loaded:
    """What one host was given: the images it lacked, the bytes sent, the seconds it took."""

    docker_host: str
    images: tuple[str, ...]
    bytes_sent: int
    seconds: float


def _id(client: docker.DockerClient, ref: str) -> str | None:
    try:
        return str(client.images.get(ref).id)
    except docker.errors.ImageNotFound:
        return None


def missing(refs: Iterable[str], docker_host: str) -> list[str]:
    """The refs the host lacks, or holds as another image (the same tag, other content)."""
    local, there = docker_client(LOCAL_ENGINE, timeout_s=600), docker_client(docker_host, timeout_s=600)
    wanted = sorted(set(refs))
    return [ref for ref in wanted if _id(there, ref) != _id(local, ref)]  # None there: lacking


def load_images(
    wanted: Mapping[str, Iterable[str]], progress: Callable[[str], None] = lambda _: None
) -> list[Loaded]:
    """Give every host of wanted (but the local engine) the images it lacks of those wanted there;
    return what each got, in the hosts' order.

    Raises ToolchainError naming the host and the images when an export or a load fails.
    """
    local = docker_client(LOCAL_ENGINE, timeout_s=600)
    everything = sorted({ref for refs in wanted.values() for ref in refs})
    absent = [ref for ref in everything if _id(local, ref) is None]
    if absent:
        raise ToolchainError(
            f"the images {', '.join(absent)} are not on this machine's engine", "run drill up"
        )
    lacking = {host: missing(refs, host) for host, refs in sorted(wanted.items()) if host != LOCAL_ENGINE}
    lacking = {host: refs for host, refs in lacking.items() if refs}
    sent: dict[str, int] = dict.fromkeys(lacking, 0)
    lock = threading.Lock()

    def told(host: str, count: int) -> None:
        with lock:
            sent[host] = count
            progress("images: " + ", ".join(f"{n / 1e6:.0f} MB into {h}" for h, n in sent.items()) + "…")

    if not lacking:
        return []
    with ThreadPoolExecutor(max_workers=len(lacking)) as pool:
        futures = [pool.submit(_load_into, local, host, refs, told) for host, refs in lacking.items()]
        return [future.result() for future in futures]


def _load_into(
    local: docker.DockerClient, host: str, lacking: list[str], told: Callable[[str, int], None]
) -> Loaded:
    """Stream one export of the lacking images from the local engine into host's."""
    started = time.monotonic()
    sent = 0
    export = local.api._get(local.api._url("/images/get"), params={"names": lacking}, stream=True)
    if export.status_code != 200:
        why = export.text[:200]
        raise ToolchainError(f"the engine would not export {lacking}: {why}", "see dockerd's log")

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for chunk in export.iter_content(CHUNK):
            sent += len(chunk)
            told(host, sent)
            yield chunk

    try:
        # The engine answers as it loads, a JSON object at a time: read to the end, errors included.
        errors = [
            str(said["error"])
            for said in docker_client(host, timeout_s=600).api.load_image(chunks())
            if isinstance(said, dict) and "error" in said
        ]
        if errors:
            raise ToolchainError(
                f"{host} did not load {', '.join(lacking)}: {errors[0]}", f"see {host}'s log"
            )
    except docker.errors.APIError as exc:
        raise ToolchainError(
            f"{host} did not load {', '.join(lacking)}: {exc.explanation or exc}",
            f"check the host's engine (`docker -H {host} info`) and its disk",
        ) from exc
    still = missing(lacking, host)
    if still:
        raise ToolchainError(f"{host} lacks {', '.join(still)} after loading them", f"see {host}'s log")
    loaded = Loaded(host, tuple(lacking), sent, round(time.monotonic() - started, 1))
    log.info(f"loaded {len(lacking)} images ({sent / 1e6:.0f} MB) into {host} in {loaded.seconds} s")
    return loaded
