"""server-side sessions, ended on sign-out

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 19:10:00

"""
from alembic import op
import sqlalchemy as sa

import talentday.database


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', talentday.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', talentday.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', talentday.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('remember', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
    op.drop_table('user_session')
