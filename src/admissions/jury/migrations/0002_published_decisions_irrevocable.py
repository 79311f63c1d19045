"""The database refuses to change or delete a published decision, whatever asks it."""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER jury_decision_irrevocable_update BEFORE UPDATE ON jury_decision
    WHEN OLD.published_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'jury decision published: irrevocable'); END
    """,
    """
    CREATE TRIGGER jury_decision_irrevocable_delete BEFORE DELETE ON jury_decision
    WHEN OLD.published_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'jury decision published: irrevocable'); END
    """,
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS jury_decision_irrevocable_update",
    "DROP TRIGGER IF EXISTS jury_decision_irrevocable_delete",
]
POSTGRES = [
    """
    CREATE FUNCTION jury_decision_irrevocable() RETURNS trigger AS $$
    BEGIN
        IF OLD.published_at IS NOT NULL THEN
            RAISE EXCEPTION 'jury decision % published: irrevocable', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER jury_decision_irrevocable BEFORE UPDATE OR DELETE ON jury_decision
    FOR EACH ROW EXECUTE FUNCTION jury_decision_irrevocable()
    """,
]
POSTGRES_UNDO = [
    "DROP TRIGGER IF EXISTS jury_decision_irrevocable ON jury_decision",
    "DROP FUNCTION IF EXISTS jury_decision_irrevocable()",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("jury", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRES_UNDO}),
        )
    ]
