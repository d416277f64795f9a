"""The services' code as the images run it: importable folders, commands that name real modules,
Dockerfiles that copy what exists, and modules and functions of a size one reads in a sitting."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from drill.paths import PROJECT_ROOT
from infra.images import SERVICES_DIR

MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 40
# A docstring that says why a module or function is longer, e.g. "over 40 lines because ...".
REASON = re.compile(r"\bover \d+ lines because\b")
# `python3 -m services.x.y` as a shell word or as a list of arguments ("-m", "services.x.y").
MODULE_COMMAND = re.compile(r"""-m(?:"\s*,\s*"|\s+)(services(?:\.\w+)+)""")
PYTHON_MODULES = sorted(SERVICES_DIR.rglob("*.py"))
IMAGE_FOLDERS = sorted(p.parent for p in SERVICES_DIR.glob("*/Dockerfile"))


def test_every_image_folder_is_an_importable_name() -> None:
    assert IMAGE_FOLDERS and all(folder.name.isidentifier() for folder in IMAGE_FOLDERS)
    for folder in IMAGE_FOLDERS:
        if any(folder.glob("*.py")):
            assert (folder / "__init__.py").is_file(), folder


@pytest.mark.parametrize("path", PYTHON_MODULES, ids=lambda p: str(p.relative_to(SERVICES_DIR)))
def test_no_module_or_function_is_too_long_without_saying_why(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    if len(source.splitlines()) > MAX_MODULE_LINES:
        assert REASON.search(ast.get_docstring(tree) or ""), f"{path} is over {MAX_MODULE_LINES} lines"
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                assert REASON.search(ast.get_docstring(node) or ""), (
                    f"{path}:{node.lineno} {node.name}: {length}"
                )


def commands() -> list[tuple[str, str]]:
    """(where, module) of every `python3 -m services...` the images, the stack and drill run."""
    sources = [*SERVICES_DIR.rglob("Dockerfile"), *SERVICES_DIR.rglob("*.sh"), *PYTHON_MODULES]
    sources += [*(PROJECT_ROOT / "infra").rglob("*.py"), *(PROJECT_ROOT / "drill").rglob("*.py")]
    return [
        (str(path.relative_to(PROJECT_ROOT)), module)
        for path in sources
        for module in MODULE_COMMAND.findall(path.read_text(encoding="utf-8"))
    ]


def test_the_commands_name_modules_that_exist_and_run_as_programs() -> None:
    found = commands()
    modules = {module for _, module in found}
    # The entry points, health checks and storage checks of every Python image.
    assert {
        "services.lab_gateway.gateway",
        "services.lab_gateway.results_api",
        "services.lab_analyser.analyser",
        "services.appointments.appointments",
        "services.intranet.intranet",
        "services.vault.vault",
        "services.common.vault_export",
        "services.mail_front.mail_copy",
    } <= modules
    for where, module in found:
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin, f"{where} runs {module}, which does not exist"
        assert 'if __name__ == "__main__":' in Path(spec.origin).read_text(), (
            f"{module} cannot run as a program"
        )


def copied(dockerfile: Path) -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY of a Dockerfile."""
    found = []
    for line in dockerfile.read_text().splitlines():
        if line.startswith("COPY "):
            *sources, destination = [word for word in line.split()[1:] if not word.startswith("--")]
            found.append((sources, destination))
    return found


@pytest.mark.parametrize("folder", IMAGE_FOLDERS, ids=lambda p: p.name)
def test_each_image_copies_files_that_exist_and_the_packages_its_code_imports(folder: Path) -> None:
    copies = copied(folder / "Dockerfile")
    for sources, _ in copies:
        for source in sources:
            assert list(SERVICES_DIR.glob(source)), (
                f"{folder.name}/Dockerfile copies {source}, which is not there"
            )
    if not any(folder.glob("*.py")):
        return
    text = (folder / "Dockerfile").read_text()
    assert "PYTHONPATH=/app" in text
    wanted = {("__init__.py", "/app/services/"), (f"{folder.name}/*.py", f"/app/services/{folder.name}/")}
    if any("services.common" in p.read_text() for p in folder.glob("*.py")):
        wanted.add(("common/*.py", "/app/services/common/"))
    have = {(source, destination) for sources, destination in copies for source in sources}
    assert wanted <= have, f"{folder.name}/Dockerfile does not copy {sorted(wanted - have)}"
