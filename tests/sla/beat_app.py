"""The Celery app with the SLA sweep on the beat schedule every second, for the real-worker tests.

`celery -A tests.sla.beat_app beat` runs beat with this schedule whatever itsm/settings.py holds.
"""

from itsm.celery import app

app.conf.beat_schedule = {
    **app.conf.beat_schedule,
    "sla.sweep": {"task": "sla.sweep", "schedule": 1.0, "options": {"expires": 1}},
}
