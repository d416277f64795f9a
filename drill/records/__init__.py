"""The typed records a run leaves: each written once and read back, validated, by every reader.

plan.json (plan.py), summary.json (summary.py), matrix.json (matrix.py), a
soak's report (soak.py) and the bench's results (bench.py). A record read
back from a file is validated strictly: a field of the wrong type is an
error that names the file and the field, never a guess.
"""
