"""Knowledge practice app (see its issue)."""
