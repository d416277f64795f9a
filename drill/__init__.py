"""The hospital DRP testbed: toolchain, deploys, game days."""
