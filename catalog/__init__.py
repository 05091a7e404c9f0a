"""Catalog practice app (see its issue)."""
