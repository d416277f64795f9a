"""Entry point for a plain `pulumi up` in the project folder (Pulumi.yaml: main: infra/).

`drill up` is the supported way: it runs the same program inline through the
Automation API, with the project's engine settings. This file lets a user
with an installed Pulumi and its Python language host run it directly.
"""

import logging

from infra.images import build_service_images
from infra.program import make_program

logging.basicConfig(level=logging.INFO, format="%(message)s")
make_program(build_service_images())()
