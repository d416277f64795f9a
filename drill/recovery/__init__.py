"""The recovery plan as code: a plan file of ordered priority groups, run step by step, each timed."""
