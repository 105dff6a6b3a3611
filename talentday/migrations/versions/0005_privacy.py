"""privacy: consent text version, anonymised speakers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 19:10:00

"""
from alembic import op
import sqlalchemy as sa

import talentday.database


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_version', sa.String(length=32), nullable=True))

    with op.batch_alter_table('speaker', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', talentday.database.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('speaker', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('consent_version')
