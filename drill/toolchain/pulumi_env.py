"""Engine settings so that Pulumi never downloads anything and keeps its state here."""

from __future__ import annotations

import os
import secrets

from drill.paths import StatePaths


def ensure_passphrase(paths: StatePaths) -> str:
    """Create the secrets passphrase once (mode 600, outside git); describe it."""
    target = paths.passphrase_file
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return f"passphrase in {target}"


def describe_passphrase(paths: StatePaths) -> str | None:
    """Describe the passphrase file, or None when it is not made yet."""
    return f"passphrase in {paths.passphrase_file}" if paths.passphrase_file.exists() else None


def pulumi_env(paths: StatePaths) -> dict[str, str]:
    """The environment every Pulumi command and Automation API call runs with."""
    paths.backend.mkdir(parents=True, exist_ok=True)
    return {
        "PULUMI_HOME": str(paths.pulumi_home),
        "PULUMI_BACKEND_URL": f"file://{paths.backend}",
        "PULUMI_CONFIG_PASSPHRASE_FILE": str(paths.passphrase_file),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
        "PULUMI_SKIP_CONFIRMATIONS": "true",
        "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "false",
    }
