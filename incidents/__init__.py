"""Incidents practice app (see its issue)."""
