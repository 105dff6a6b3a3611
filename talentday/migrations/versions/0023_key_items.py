"""key items and leaders' instructions (重点督办, 领导批示)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-28 17:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

OLD_KINDS = [
    "created", "assigned", "accepted", "returned", "progress", "result", "closed",
    "reopened", "urged", "rated", "became_overdue", "note", "merged", "split",
    "extension_requested", "extension_granted", "extension_refused",
    "commitment_due", "commitment_answered", "commitment_settled",
    "co_opinion", "opinions_waived",
]
NEW_KINDS = OLD_KINDS + ["key_marked", "leader_instruction", "key_lifted"]
KIND_CHECK = "ck_timeline_entry_timeline_kind"
KEY = sa.text("key_at IS NOT NULL")


def _replace_kind_check(kinds):
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(KIND_CHECK), type_='check')
        batch_op.create_check_constraint(
            op.f(KIND_CHECK), "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"
        )


def upgrade():
    _replace_kind_check(NEW_KINDS)
    # Without a batch copy, which would lose followup_item's expression indexes (0007).
    op.add_column('followup_item', sa.Column('key_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        'followup_item',
        sa.Column('key_instruction', sa.Text(), nullable=False, server_default=''),
    )
    op.add_column('followup_item', sa.Column('key_escalated_due_on', sa.Date(), nullable=True))
    op.create_index(
        'ix_followup_item_key', 'followup_item', ['key_at'], unique=False,
        sqlite_where=KEY, postgresql_where=KEY,
    )


def downgrade():
    op.drop_index('ix_followup_item_key', table_name='followup_item')
    for column in ('key_escalated_due_on', 'key_instruction', 'key_at'):
        op.execute(f"ALTER TABLE followup_item DROP COLUMN {column}")
    op.execute(
        "DELETE FROM timeline_entry WHERE kind IN ('key_marked', 'leader_instruction', 'key_lifted')"
    )
    _replace_kind_check(OLD_KINDS)
