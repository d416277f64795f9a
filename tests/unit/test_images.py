"""The service images' names and tags (infra/images.py): a tag follows every file an image is built from."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from infra.images import IMAGE_REPOSITORIES, SERVICES_DIR, ServiceImages, build_inputs, content_tag


def test_the_repositories_keep_their_names_and_each_has_its_folder() -> None:
    assert IMAGE_REPOSITORIES == {
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
    assert [f.name for f in dataclasses.fields(ServiceImages)] == list(IMAGE_REPOSITORIES)
    assert all((SERVICES_DIR / field / "Dockerfile").is_file() for field in IMAGE_REPOSITORIES)


@pytest.fixture
def services(tmp_path: Path) -> Path:
    root = tmp_path / "services"
    for name, text in {
        "__init__.py": "package",
        "common/__init__.py": "shared",
        "common/mllp.py": "framing",
        "lab_gateway/Dockerfile": "FROM base",
        "lab_gateway/gateway.py": "gateway",
        "intranet/intranet.py": "intranet",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def tag(services: Path, folder: str = "lab_gateway", base: str = "sha256:1") -> str:
    return content_tag(build_inputs(folder, services), services, base)


@pytest.mark.parametrize(
    "changed",
    ["lab_gateway/gateway.py", "lab_gateway/Dockerfile", "common/mllp.py", "__init__.py", "requirements"],
)
def test_the_tag_changes_with_any_file_the_image_is_built_from(services: Path, changed: str) -> None:
    before = tag(services)
    (services / changed).write_text("changed")
    assert tag(services) != before


def test_the_tag_stays_when_only_another_image_or_a_cache_changes(services: Path) -> None:
    before = tag(services)
    (services / "intranet" / "intranet.py").write_text("changed")
    (services / "common" / "__pycache__").mkdir()
    (services / "common" / "__pycache__" / "mllp.cpython-311.pyc").write_bytes(b"\0")
    assert tag(services) == before
    assert tag(services, base="sha256:2") != before  # a new base image is a new tag


def test_a_file_moved_between_folders_is_a_new_tag(services: Path) -> None:
    before = tag(services)
    (services / "lab_gateway" / "gateway.py").rename(services / "lab_gateway" / "receiver.py")
    assert tag(services) != before
