"""the requests for more time waiting on the organizers, in a partial index

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28 13:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

WHERE = sa.text("extension_asked_to IS NOT NULL")


def upgrade():
    # Created outside a batch: a batch copy of followup_item would lose its expression
    # indexes (0007).
    op.create_index(
        'ix_followup_item_extension_asked',
        'followup_item',
        ['extension_asked_to'],
        unique=False,
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade():
    op.drop_index('ix_followup_item_extension_asked', table_name='followup_item')
