"""Secrets generated once per stack into its Pulumi config, encrypted with our passphrase.

No password or key is ever in the repository or an image: `drill up`
generates each missing one here, and the program hands them to containers
as files at deploy (infra/secret_files.py).
"""

from __future__ import annotations

import secrets

from pulumi import automation as auto

from drill.config_batch import ConfigStore
from infra.config import RETIRED_SECRET_KEYS, SECRET_KEYS

NAMESPACE = "hospital-drp"


def ensure_secrets(stack: ConfigStore) -> list[str]:
    """Generate every secret the stack lacks, drop retired ones; return the names of those generated."""
    present = stack.get_all_config()
    for key in RETIRED_SECRET_KEYS:
        if f"{NAMESPACE}:{key}" in present:
            stack.remove_config(f"{NAMESPACE}:{key}")
    made = []
    for key in SECRET_KEYS:
        full = f"{NAMESPACE}:{key}"
        if full not in present:
            stack.set_config(full, auto.ConfigValue(value=secrets.token_urlsafe(24), secret=True))
            made.append(key)
    return made
