"""results classed A/B/C/D, and the promise of a B or C result followed up

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 14:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

OLD_KINDS = [
    "created", "assigned", "accepted", "returned", "progress", "result", "closed",
    "reopened", "urged", "rated", "became_overdue", "note", "merged", "split",
    "extension_requested", "extension_granted", "extension_refused",
]
NEW_KINDS = OLD_KINDS + ["commitment_due", "commitment_answered", "commitment_settled"]
KIND_CHECK = "ck_timeline_entry_timeline_kind"
CLASSES = ["solved", "being_solved", "planned", "not_now"]
OPEN_COMMITMENT = sa.text("commitment_on IS NOT NULL AND commitment_settled_at IS NULL")


def _replace_kind_check(kinds):
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(KIND_CHECK), type_='check')
        batch_op.create_check_constraint(
            op.f(KIND_CHECK), "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"
        )


def upgrade():
    _replace_kind_check(NEW_KINDS)
    # Added without a batch copy: a copy of followup_item would lose its expression indexes
    # (0007). The class's CHECK is the column's own (as the model's enum_column names it), so
    # that SQLite drops it with the column on the way down.
    classes = ", ".join(f"'{value}'" for value in CLASSES)
    op.execute(
        "ALTER TABLE followup_item ADD COLUMN result_class VARCHAR(32) "
        f"CONSTRAINT ck_followup_item_result_class CHECK (result_class IN ({classes}))"
    )
    op.add_column('followup_item', sa.Column('commitment_on', sa.Date(), nullable=True))
    op.add_column(
        'followup_item', sa.Column('commitment_due_at', sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column('followup_item', sa.Column('commitment_kept', sa.Boolean(), nullable=True))
    op.add_column(
        'followup_item',
        sa.Column('commitment_settled_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        'ix_followup_item_commitment_open', 'followup_item', ['commitment_on'], unique=False,
        sqlite_where=OPEN_COMMITMENT, postgresql_where=OPEN_COMMITMENT,
    )


def downgrade():
    op.drop_index('ix_followup_item_commitment_open', table_name='followup_item')
    for column in (
        'commitment_settled_at', 'commitment_kept', 'commitment_due_at', 'commitment_on',
        'result_class',
    ):
        op.execute(f"ALTER TABLE followup_item DROP COLUMN {column}")
    op.execute(
        "DELETE FROM timeline_entry WHERE kind IN "
        "('commitment_due', 'commitment_answered', 'commitment_settled')"
    )
    _replace_kind_check(OLD_KINDS)
