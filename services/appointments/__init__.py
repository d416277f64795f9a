"""Appointment booking for the medical secretariats (the hospital-drp/appointments image)."""
