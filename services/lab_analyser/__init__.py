"""A biology platform's analyser chain (the hospital-drp/lab-analyser image)."""
