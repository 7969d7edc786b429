"""matching change feed: every profile row carries the id of the transaction that last changed
what matching reads about the person, so each process's mentor index catches up exactly

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:45:00

The stamp is set in the database, by triggers, so every write path is covered whatever code it
runs: the API, SCIM, the raw-SQL bulk import, the places proposals and progress take. A change
to the user (active, roles, display name, manager) or to the person's programs stamps their
profile row too. Stored as bigint (`pg_current_xact_id()::text::bigint`, the 64-bit xid8 with
its epoch, which never wraps) so the ORM, the model check and comparisons need no custom type.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_XID = "(pg_current_xact_id()::text)::bigint"

FUNCTIONS = {
    # BEFORE INSERT OR UPDATE on profiles: no extra write, the row carries its own stamp.
    "profiles.stamp_profile_change": f"""
        RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.changed_xid := {CURRENT_XID};
            RETURN NEW;
        END $$""",
    # AFTER UPDATE on users (statement level: a bulk import's batch is one UPDATE of profiles).
    # The manager is read through to_jsonb so this works whether or not the column exists yet.
    "profiles.stamp_user_change": f"""
        RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE profiles.profiles AS p SET changed_xid = {CURRENT_XID}
            FROM changed_new AS n JOIN changed_old AS o ON o.id = n.id
            WHERE p.user_id = n.id
              AND (o.active, o.roles, o.display_name, to_jsonb(o) -> 'manager_id')
                  IS DISTINCT FROM (n.active, n.roles, n.display_name, to_jsonb(n) -> 'manager_id');
            RETURN NULL;
        END $$""",
    # AFTER INSERT / DELETE on program_participants: who mentors or learns in which program.
    "profiles.stamp_participant_change": f"""
        RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE profiles.profiles AS p SET changed_xid = {CURRENT_XID}
            WHERE p.user_id IN (SELECT user_id FROM changed);
            RETURN NULL;
        END $$""",
}

# (trigger, table, when it fires, function)
TRIGGERS = [
    (
        "stamp_profile_change",
        "profiles.profiles",
        "BEFORE INSERT OR UPDATE",
        "FOR EACH ROW",
        "profiles.stamp_profile_change",
    ),
    (
        "stamp_user_change",
        "profiles.users",
        "AFTER UPDATE",
        "REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT",
        "profiles.stamp_user_change",
    ),
    (
        "stamp_participant_insert",
        "profiles.program_participants",
        "AFTER INSERT",
        "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT",
        "profiles.stamp_participant_change",
    ),
    (
        "stamp_participant_delete",
        "profiles.program_participants",
        "AFTER DELETE",
        "REFERENCING OLD TABLE AS changed FOR EACH STATEMENT",
        "profiles.stamp_participant_change",
    ),
]


def upgrade() -> None:
    op.add_column(
        "profiles",
        sa.Column(
            "changed_xid", sa.BigInteger(), nullable=False, server_default=sa.text(CURRENT_XID)
        ),
        schema="profiles",
    )
    op.create_index(
        "ix_profiles_tenant_id_changed_xid",
        "profiles",
        ["tenant_id", "changed_xid"],
        schema="profiles",
    )
    for name, body in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() {body}")
    for name, table, event, scope, function in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {name} {event} ON {table} {scope} EXECUTE FUNCTION {function}()"
        )


def downgrade() -> None:
    for name, table, *_ in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}()")
    op.drop_index("ix_profiles_tenant_id_changed_xid", table_name="profiles", schema="profiles")
    op.drop_column("profiles", "changed_xid", schema="profiles")
