"""An index on UPPER(auth_user.email): every inbound message looks its sender up by address,
case-insensitively (`email__iexact`), which is a sequential scan of all accounts without it.

PostgreSQL only: SQLite compiles `iexact` to LIKE, which an expression index does not serve.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS mail_user_email_upper_idx ON auth_user (UPPER("email"::text))'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS mail_user_email_upper_idx")


class Migration(migrations.Migration):
    dependencies = [("mail", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create, drop)]
