"""Choices for windows, with badge colours (templates never hard-code them)."""

from django.db import models

from itsm.maintenance.recurrence import Frequency as RuleFrequency
from itsm.maintenance.recurrence import MonthlyBy as RuleMonthlyBy

WINDOW_KIND_COLOURS = {"blackout": "red", "maintenance": "blue"}


class WindowKind(models.TextChoices):
    """A blackout forbids changes (unless a change manager overrides); a maintenance window
    is where changes are expected to go."""

    BLACKOUT = "blackout", "Blackout"
    MAINTENANCE = "maintenance", "Maintenance"

    @classmethod
    def colour(cls, value: str) -> str:
        return WINDOW_KIND_COLOURS.get(value, "grey")


class Frequency(models.TextChoices):
    ONCE = RuleFrequency.ONCE.value, "Once"
    DAILY = RuleFrequency.DAILY.value, "Daily"
    WEEKLY = RuleFrequency.WEEKLY.value, "Weekly"
    MONTHLY = RuleFrequency.MONTHLY.value, "Monthly"


class MonthlyBy(models.TextChoices):
    DAY = RuleMonthlyBy.DAY.value, "Same day of the month as the first date"
    NTH_WEEKDAY = RuleMonthlyBy.NTH_WEEKDAY.value, "Same n-th weekday as the first date"
    LAST_WEEKDAY = RuleMonthlyBy.LAST_WEEKDAY.value, "Last such weekday of the month"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"
