"""SLA: business calendars, definitions, clocks, the sweep. `engine.py` is pure arithmetic."""
