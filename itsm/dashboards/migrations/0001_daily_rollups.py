"""Daily rollups of the incident overview (itsm.dashboards.rollups writes them)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="IncidentDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("team_id", models.BigIntegerField(null=True)),
                ("service_id", models.BigIntegerField(null=True)),
                ("priority", models.PositiveSmallIntegerField()),
                ("opened", models.PositiveIntegerField(default=0)),
                ("major_opened", models.PositiveIntegerField(default=0)),
                ("resolved", models.PositiveIntegerField(default=0, help_text="Every incident resolved that day.")),
                (
                    "timed",
                    models.PositiveIntegerField(default=0, help_text="Resolved and not cancelled: the base of rates."),
                ),
                ("resolve_seconds", models.FloatField(default=0)),
                ("responded", models.PositiveIntegerField(default=0)),
                ("respond_seconds", models.FloatField(default=0)),
                ("reopened", models.PositiveIntegerField(default=0)),
                ("first_contact", models.PositiveIntegerField(default=0)),
                ("csat_count", models.PositiveIntegerField(default=0)),
                ("csat_sum", models.PositiveIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["day"], name="dash_incident_day_idx")],
            },
        ),
        migrations.CreateModel(
            name="RollupState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("refreshed_at", models.DateTimeField(blank=True, null=True)),
                ("rebuilt_at", models.DateTimeField(blank=True, null=True)),
                ("days_last_run", models.PositiveIntegerField(default=0)),
                (
                    "time_zone",
                    models.CharField(blank=True, help_text="The zone the days were cut in.", max_length=64),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SLADay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("definition_id", models.BigIntegerField()),
                ("target", models.CharField(max_length=20)),
                (
                    "team_id",
                    models.BigIntegerField(help_text="The incident's assignment group.", null=True),
                ),
                ("service_id", models.BigIntegerField(null=True)),
                ("priority", models.PositiveSmallIntegerField()),
                ("met", models.PositiveIntegerField(default=0)),
                ("breached", models.PositiveIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["day"], name="dash_sla_day_idx")],
            },
        ),
    ]
