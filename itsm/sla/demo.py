"""Demo SLA targets: office hours and 24x7 calendars, response and resolution definitions.

Idempotent: calendars and definitions are found by name and left alone when present.
"""

from datetime import time, timedelta

from itsm.core.choices import StateCategory, TaskKind
from itsm.sla.choices import Target
from itsm.sla.models import Calendar, SLADefinition
from itsm.sla.services import create_calendar
from itsm.sla.services.calendars import full_day_windows

H = timedelta(hours=1)


def seed_sla() -> None:
    office = _calendar("Office hours (Mon–Fri 08–18, Berlin)", "Europe/Berlin", _office_windows())
    always = _calendar("24x7", "UTC", full_day_windows())
    incident = [TaskKind.INCIDENT]
    _definition("P1 incident: resolve in 4 hours", Target.RESOLUTION, 4 * H, always, incident, [1], 10)
    _definition(
        "P2 incident: resolve in 8 business hours", Target.RESOLUTION, 8 * H, office, incident, [2], 20
    )
    _definition("Incident: resolve in 3 business days", Target.RESOLUTION, 30 * H, office, incident, [], 100)
    _definition("P1/P2 incident: respond in 15 minutes", Target.RESPONSE, H / 4, always, incident, [1, 2], 10)
    _definition("Incident: respond in 2 business hours", Target.RESPONSE, 2 * H, office, incident, [], 100)


def _office_windows() -> list[dict]:
    return [{"weekday": day, "start": time(8), "end": time(18)} for day in range(5)]


def _calendar(name: str, zone: str, windows: list[dict]) -> Calendar:
    existing = Calendar.objects.filter(name=name).first()
    return existing or create_calendar(name=name, time_zone=zone, windows=windows)


def _definition(name, target, duration, calendar, kinds, priorities, precedence) -> None:
    if SLADefinition.objects.filter(name=name).exists():
        return
    definition = SLADefinition(
        name=name,
        target=target,
        duration=duration,
        calendar=calendar,
        kinds=kinds,
        priorities=priorities,
        precedence=precedence,
        pause_on=[StateCategory.PENDING] if target == Target.RESOLUTION else [],
    )
    definition.full_clean()
    definition.save()
