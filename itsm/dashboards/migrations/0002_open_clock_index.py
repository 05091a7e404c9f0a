"""An index for the overview's live "SLA breached now" and "at risk now" figures.

The open clocks of a large clock table sit on many heap pages; with this partial index (open
clocks only, a few percent of the table) both figures are index-only scans. It lives here, not
in the SLA app, because only the dashboards read clocks this way; the SQL is the same on
PostgreSQL and SQLite.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS dash_open_clock_idx ON sla_slaclock (task_id, breached_at, warned_percent) "
    "WHERE stage IN ('running', 'paused')"
)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_daily_rollups"), ("sla", "0004_lighter_clock_indexes")]

    operations = [migrations.RunSQL(CREATE, reverse_sql="DROP INDEX IF EXISTS dash_open_clock_idx")]
