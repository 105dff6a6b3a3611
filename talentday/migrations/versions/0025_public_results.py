"""public results (办理结果公开): the speaker's consent, the event's page, what was published

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-28 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

OLD_KINDS = [
    "created", "assigned", "accepted", "returned", "progress", "result", "closed",
    "reopened", "urged", "rated", "became_overdue", "note", "merged", "split",
    "extension_requested", "extension_granted", "extension_refused",
    "commitment_due", "commitment_answered", "commitment_settled",
    "co_opinion", "opinions_waived", "key_marked", "leader_instruction", "key_lifted",
    "contacted",
]
NEW_KINDS = OLD_KINDS + ["published", "unpublished"]
KIND_CHECK = "ck_timeline_entry_timeline_kind"


def _replace_kind_check(kinds):
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(KIND_CHECK), type_='check')
        batch_op.create_check_constraint(
            op.f(KIND_CHECK), "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"
        )


def upgrade():
    _replace_kind_check(NEW_KINDS)
    # The consent's CHECK is the column's own (as the model's enum_column names it), so that
    # SQLite drops it with the column on the way down.
    op.execute(
        "ALTER TABLE registration ADD COLUMN publication VARCHAR(32) DEFAULT 'none' NOT NULL "
        "CONSTRAINT ck_registration_publication "
        "CHECK (publication IN ('named', 'anonymous', 'none'))"
    )
    op.add_column(
        'event',
        sa.Column('results_public', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Without a batch copy, which would lose followup_item's expression indexes (0007).
    op.add_column(
        'followup_item', sa.Column('published_at', sa.DateTime(timezone=True), nullable=True)
    )
    for column in ('published_content', 'published_result'):
        op.add_column(
            'followup_item', sa.Column(column, sa.Text(), server_default='', nullable=False)
        )


def downgrade():
    for column in ('published_result', 'published_content', 'published_at'):
        op.execute(f"ALTER TABLE followup_item DROP COLUMN {column}")
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('results_public')
    op.execute("ALTER TABLE registration DROP COLUMN publication")
    op.execute("DELETE FROM timeline_entry WHERE kind IN ('published', 'unpublished')")
    _replace_kind_check(OLD_KINDS)
