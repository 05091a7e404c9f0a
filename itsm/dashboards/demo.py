"""Demo data for the dashboards: the daily rollups, built once the practices have seeded their records."""

from itsm.dashboards import rollups


def after_demo_data() -> None:
    """Rebuild the overview's rollups so a fresh demo shows its period figures at once."""
    rollups.rebuild()
