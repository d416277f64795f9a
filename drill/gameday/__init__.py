"""The game day: deploy, run an experiment under load, recover, audit, report."""
