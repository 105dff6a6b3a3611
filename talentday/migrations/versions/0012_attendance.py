"""an approved speaker says whether they will come

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 07:30:00

"""
from alembic import op
import sqlalchemy as sa

from talentday.database import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_confirmed_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('declined_at', UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('declined_at')
        batch_op.drop_column('attendance_confirmed_at')
