"""The clinician workload: real operations against every service, each recorded in a ledger."""
