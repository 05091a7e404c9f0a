"""The overview's period figures, cached per scope until the next rollup refresh, and warmed after it.

They change only when the rollups do, so one computation per scope and refresh serves every viewer
(the page says how fresh they are); the live medians and top CIs are cached with them. Nothing is
cached before the first refresh. The key names the refresh, the period and the filters: the rollups
hold no per-user data (managers and staff see every incident; team leads are narrowed by team).
After each refresh the Celery task computes the preset periods without filters, so the default
views never pay the first computation.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from itsm.core import roles
from itsm.dashboards import rollups, selectors
from itsm.dashboards.forms import PERIODS

#: A refresh changes the key long before this runs out.
CACHE_SECONDS = 3 * 60 * rollups.REFRESH_MINUTES


def _key(scope: selectors.Scope, freshness) -> str | None:
    if freshness is None or freshness.refreshed_at is None:
        return None
    parts = (
        freshness.pk,
        freshness.refreshed_at.isoformat(),
        scope.start.isoformat(),
        scope.end.isoformat(),
        ",".join(map(str, sorted(scope.teams))),
        scope.service,
        scope.priority,
    )
    return "dashboards:overview:" + ":".join(str(part) for part in parts)


def period_figures(scope: selectors.Scope, freshness) -> tuple:
    """(rollup figures, SLA compliance, medians, top CIs) for the scope, from the cache when fresh."""
    key = _key(scope, freshness)
    if key is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    result = (
        selectors.period_figures(scope),
        selectors.sla_compliance(scope),
        selectors.median_times(scope),
        selectors.top_cis(scope),
    )
    if key is not None:
        cache.set(key, result, timeout=CACHE_SECONDS)
    return result


def warm(now: datetime | None = None) -> int:
    """Compute the preset periods (no filters) for the current refresh; returns how many were computed."""
    freshness = rollups.freshness()
    viewer = next(
        (
            user
            for user in get_user_model().objects.filter(is_active=True).order_by("pk")
            if roles.sees_everything(user)
        ),
        None,
    )
    if freshness is None or viewer is None:
        return 0
    tz = rollups.zone()
    today = timezone.localtime(now or timezone.now(), tz).date()
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)
    warmed = 0
    for value, _label in PERIODS:
        if value.isdigit():
            scope = selectors.Scope(user=viewer, start=end - timedelta(days=int(value)), end=end)
            cache.delete(_key(scope, freshness))
            period_figures(scope, freshness)
            warmed += 1
    return warmed
