"""Changes practice app (see its issue)."""
