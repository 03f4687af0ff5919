"""The ledger is append-only in the database itself, not only in the ORM: on PostgreSQL a trigger refuses any
UPDATE or DELETE of a ledger row; on SQLite (the embedded default) a trigger refuses UPDATE. SQLite gets no
DELETE trigger because Django empties tables with DELETE when a test database is flushed (PostgreSQL uses
TRUNCATE, which row triggers do not see); there the model and its queryset refuse deletes."""

from django.db import migrations

TABLE = "credits_ledgerentry"
MESSAGE = "ledger entries are append-only: write a correcting entry instead"

SQLITE = [
    f"CREATE TRIGGER ledger_no_update BEFORE UPDATE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS ledger_no_update;"]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;""",
    f"CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS ledger_no_change ON {TABLE};",
    "DROP FUNCTION IF EXISTS ledger_refuse_change();",
]


def install(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
