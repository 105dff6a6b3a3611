"""speakers checked in at the door on the salon day

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import talentday.database

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'check_in',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('checked_in_at', talentday.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_check_in_registration_id_registration'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_check_in_event_id_event'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['checked_in_by_id'], ['user_account.id'], name=op.f('fk_check_in_checked_in_by_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in')),
        sa.UniqueConstraint('registration_id', name=op.f('uq_check_in_registration_id')),
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_event_id'))
    op.drop_table('check_in')
