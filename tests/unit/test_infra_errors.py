"""infra/errors.py: the base error and the program's errors, the very classes drill.errors names."""

from __future__ import annotations

import pytest

from drill import errors as drill_errors
from infra import errors as infra_errors
from infra.config import load_stack_spec


@pytest.mark.parametrize("name", ["DrillError", "ConfigError", "DeployError", "ToolchainError"])
def test_drill_errors_names_the_infra_classes_themselves(name: str) -> None:
    assert getattr(drill_errors, name) is getattr(infra_errors, name)


def test_a_config_error_from_infra_is_the_drill_error_the_cli_catches() -> None:
    with pytest.raises(drill_errors.DrillError) as caught:
        load_stack_spec("Not A Name", {})
    assert isinstance(caught.value, infra_errors.ConfigError)
    assert caught.value.fix == "use e.g. `gameday` or `ci`"
    assert (
        str(caught.value)
        == "stack name 'Not A Name' is not a lower-case name. Fix: use e.g. `gameday` or `ci`"
    )
