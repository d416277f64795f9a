"""The survive/restore matrix: every fault in every room where it applies, as game days, in one grid."""
