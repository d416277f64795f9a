"""The backup vault (the hospital-drp/vault image): WAL streaming, base backups, their export."""
