"""Blackout and maintenance windows: recurring periods, scoped to everything or to services/CIs."""
