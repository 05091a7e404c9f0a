"""PostgreSQL search speed: a GIN index on the small head vector (title, summary, tags) that
search filters first; a GiST trigram index on published titles instead of the GIN one (GiST
answers `ORDER BY title <-> q LIMIT n` nearest-first and stops early, GIN must recheck every
candidate); trigram GiST and prefix indexes on the word list used for typo correction; and a
backfill of both from the articles already published. SQLite needs none of it."""

from django.db import migrations

#: Copies of knowledge.services.indexing's SQL as it was when this migration was written.
HEAD_SQL = (
    "UPDATE knowledge_article a SET head_vector = to_tsvector(CASE a.language WHEN 'en' THEN 'english' "
    "WHEN 'de' THEN 'german' WHEN 'fr' THEN 'french' WHEN 'es' THEN 'spanish' WHEN 'nl' THEN 'dutch' "
    "ELSE 'simple' END::regconfig, a.title || ' ' || a.summary || ' ' || "
    "coalesce((SELECT string_agg(t.name, ' ') FROM knowledge_article_tags at "
    "JOIN knowledge_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) WHERE {where}"
)
WORDS_SQL = (
    "INSERT INTO knowledge_searchword (word) SELECT DISTINCT w FROM knowledge_article a, "
    "regexp_split_to_table(lower(a.title || ' ' || a.summary || ' ' || a.body), '[^[:alnum:]]+') AS w "
    "WHERE length(w) BETWEEN 3 AND 40 AND w !~ '^[0-9]+$' AND {where} ON CONFLICT (word) DO NOTHING"
)

INDEXES = [
    (
        "CREATE INDEX IF NOT EXISTS kb_article_head_gin ON knowledge_article USING gin (head_vector)",
        "DROP INDEX IF EXISTS kb_article_head_gin",
    ),
    (
        "DROP INDEX IF EXISTS kb_article_title_trgm",
        "CREATE INDEX IF NOT EXISTS kb_article_title_trgm ON knowledge_article "
        "USING gin (title gin_trgm_ops) WHERE state = 'published'",
    ),
    (
        "CREATE INDEX IF NOT EXISTS kb_article_title_gist ON knowledge_article "
        "USING gist (title gist_trgm_ops) WHERE state = 'published'",
        "DROP INDEX IF EXISTS kb_article_title_gist",
    ),
    (
        "CREATE INDEX IF NOT EXISTS kb_word_trgm ON knowledge_searchword USING gist (word gist_trgm_ops)",
        "DROP INDEX IF EXISTS kb_word_trgm",
    ),
    (
        "CREATE INDEX IF NOT EXISTS kb_word_prefix ON knowledge_searchword (word varchar_pattern_ops)",
        "DROP INDEX IF EXISTS kb_word_prefix",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for forward, _ in INDEXES:
        schema_editor.execute(forward)
    schema_editor.execute(HEAD_SQL.format(where="a.state = 'published'"))
    schema_editor.execute(WORDS_SQL.format(where="a.state = 'published'"))
    schema_editor.execute("ANALYZE knowledge_article")
    schema_editor.execute("ANALYZE knowledge_searchword")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _, backward in reversed(INDEXES):
            schema_editor.execute(backward)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_search_head_and_words")]

    operations = [migrations.RunPython(create, drop)]
