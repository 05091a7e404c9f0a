"""Roles as Django groups, and (on PostgreSQL) one number sequence per task kind."""

from django.db import migrations

ROLES = ["requester", "agent", "manager", "change_manager", "knowledge_manager", "admin"]
KINDS = [
    "incident", "problem", "problem_task", "change", "change_task",
    "request", "request_item", "fulfilment_task", "approval",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def create_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for kind in KINDS:
        schema_editor.execute(f'CREATE SEQUENCE IF NOT EXISTS "core_number_{kind}" START WITH 1001')


def drop_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for kind in KINDS:
        schema_editor.execute(f'DROP SEQUENCE IF EXISTS "core_number_{kind}"')


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(create_sequences, drop_sequences),
    ]
