"""The benchmarks (`make bench`): stand-up against docker compose, game days, restore, footprint."""
