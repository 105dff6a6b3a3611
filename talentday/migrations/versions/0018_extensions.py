"""extensions (延期): the pending request and what was granted, and their timeline kinds

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-28 11:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


# Enum columns are VARCHAR with a CHECK constraint, which autogenerate does not compare:
# new timeline kinds need the constraint replaced by hand (as in 0003).
OLD_KINDS = [
    "created", "assigned", "accepted", "returned", "progress", "result", "closed",
    "reopened", "urged", "rated", "became_overdue", "note", "merged", "split",
]
NEW_KINDS = OLD_KINDS + ["extension_requested", "extension_granted", "extension_refused"]
KIND_CHECK = "ck_timeline_entry_timeline_kind"


def _replace_kind_check(kinds):
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(KIND_CHECK), type_='check')
        batch_op.create_check_constraint(
            op.f(KIND_CHECK), "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"
        )


def upgrade():
    _replace_kind_check(NEW_KINDS)
    with op.batch_alter_table('followup_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension_asked_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('extensions_granted', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('days_extended', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ has it): a batch copy of followup_item would lose its
    # expression and partial indexes (0007), which earlier downgrades then fail to drop.
    for column in ('days_extended', 'extensions_granted', 'extension_asked_to'):
        op.execute(f"ALTER TABLE followup_item DROP COLUMN {column}")
    op.execute(
        "DELETE FROM timeline_entry WHERE kind IN "
        "('extension_requested', 'extension_granted', 'extension_refused')"
    )
    _replace_kind_check(OLD_KINDS)
