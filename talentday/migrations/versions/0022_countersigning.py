"""countersigning (会签): co-handling units' opinions and their waiver

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-28 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

OLD_KINDS = [
    "created", "assigned", "accepted", "returned", "progress", "result", "closed",
    "reopened", "urged", "rated", "became_overdue", "note", "merged", "split",
    "extension_requested", "extension_granted", "extension_refused",
    "commitment_due", "commitment_answered", "commitment_settled",
]
NEW_KINDS = OLD_KINDS + ["co_opinion", "opinions_waived"]
KIND_CHECK = "ck_timeline_entry_timeline_kind"


def _replace_kind_check(kinds):
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(KIND_CHECK), type_='check')
        batch_op.create_check_constraint(
            op.f(KIND_CHECK), "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"
        )


def upgrade():
    _replace_kind_check(NEW_KINDS)
    # Without a batch copy, which would lose followup_item's expression indexes (0007).
    op.add_column(
        'followup_item', sa.Column('opinions_waived_at', sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    op.execute("ALTER TABLE followup_item DROP COLUMN opinions_waived_at")
    op.execute("DELETE FROM timeline_entry WHERE kind IN ('co_opinion', 'opinions_waived')")
    _replace_kind_check(OLD_KINDS)
