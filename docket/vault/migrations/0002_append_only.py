"""Custody entries, checkpoints and timestamps are append-only: the database itself refuses
UPDATE and DELETE on them. Someone with database access can drop these triggers; then
`docket verify` still catches the edit, because the rows are leaves of a signed Merkle tree."""

from django.db import migrations

TABLES = ["vault_custodyentry", "vault_checkpoint", "vault_timestamp"]


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        for table in TABLES:
            for event in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    elif connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION docket_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
            params=None,  # no parameters: the '%' is PL/pgSQL's, not a placeholder
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION docket_append_only()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION docket_append_only()"
            )


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        for table in TABLES:
            for event in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
    elif connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS docket_append_only()")


class Migration(migrations.Migration):
    dependencies = [("vault", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
