"""PostgreSQL search: pg_trgm, a GIN index on the stored search vector and a trigram GIN index
on titles. SQLite has neither (its search path needs no index), so the SQL runs only there."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    (
        "CREATE INDEX IF NOT EXISTS kb_article_search_gin ON knowledge_article USING gin (search_vector)",
        "DROP INDEX IF EXISTS kb_article_search_gin",
    ),
    (
        "CREATE INDEX IF NOT EXISTS kb_article_title_trgm ON knowledge_article "
        "USING gin (title gin_trgm_ops) WHERE state = 'published'",
        "DROP INDEX IF EXISTS kb_article_title_trgm",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for forward, _ in INDEXES:
            schema_editor.execute(forward)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _, backward in INDEXES:
            schema_editor.execute(backward)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
