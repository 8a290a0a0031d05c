"""The full-text index over search entries: SQLite FTS5 (external content, kept in step by
triggers) or a PostgreSQL GIN index over two tsvectors (folded words, skeletons)."""

from django.db import migrations

FTS = "register_searchentry_fts"
TABLE = "register_searchentry"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(words, skeletons, content='{TABLE}', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON {TABLE} BEGIN "
            f"INSERT INTO {FTS}(rowid, words, skeletons) VALUES (new.id, new.words, new.skeletons); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON {TABLE} BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, words, skeletons) "
            "VALUES ('delete', old.id, old.words, old.skeletons); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_au AFTER UPDATE ON {TABLE} BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, words, skeletons) "
            "VALUES ('delete', old.id, old.words, old.skeletons); "
            f"INSERT INTO {FTS}(rowid, words, skeletons) VALUES (new.id, new.words, new.skeletons); END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {TABLE}_words_fts ON {TABLE} USING gin (to_tsvector('simple', words))"
        )
        schema_editor.execute(
            f"CREATE INDEX {TABLE}_skeletons_fts ON {TABLE} "
            "USING gin (to_tsvector('simple', skeletons))"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TABLE}_words_fts")
        schema_editor.execute(f"DROP INDEX IF EXISTS {TABLE}_skeletons_fts")


class Migration(migrations.Migration):
    dependencies = [("register", "0003_search_entries")]
    operations = [migrations.RunPython(forwards, backwards)]
