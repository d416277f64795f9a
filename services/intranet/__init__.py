"""The hospital intranet (the hospital-drp/intranet image)."""
