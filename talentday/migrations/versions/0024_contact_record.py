"""the contact record with the speaker (联系记录)

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-28 17:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

OLD_KINDS = [
    "created", "assigned", "accepted", "returned", "progress", "result", "closed",
    "reopened", "urged", "rated", "became_overdue", "note", "merged", "split",
    "extension_requested", "extension_granted", "extension_refused",
    "commitment_due", "commitment_answered", "commitment_settled",
    "co_opinion", "opinions_waived", "key_marked", "leader_instruction", "key_lifted",
]
NEW_KINDS = OLD_KINDS + ["contacted"]
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
    op.add_column('followup_item', sa.Column('contacted_on', sa.Date(), nullable=True))
    op.add_column(
        'followup_item', sa.Column('speaker_says_contacted', sa.Boolean(), nullable=True)
    )


def downgrade():
    for column in ('speaker_says_contacted', 'contacted_on'):
        op.execute(f"ALTER TABLE followup_item DROP COLUMN {column}")
    op.execute("DELETE FROM timeline_entry WHERE kind = 'contacted'")
    _replace_kind_check(OLD_KINDS)
