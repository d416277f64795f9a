"""What several service images share: HL7 v2 over MLLP, the vault's export and fetch, drop-to.

Standard library only, so that every image that copies it (and drill's
workload, which speaks the same protocols) can use it as it is.
"""
