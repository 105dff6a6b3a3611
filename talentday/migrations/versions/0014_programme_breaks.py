"""breaks in an event's programme

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 08:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'programme_break',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('after_order', sa.Integer(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.CheckConstraint('minutes > 0', name=op.f('ck_programme_break_minutes_positive')),
        sa.CheckConstraint('after_order >= 1', name=op.f('ck_programme_break_after_order_positive')),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_programme_break_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_break')),
    )
    with op.batch_alter_table('programme_break', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_break_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('programme_break', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_break_event_id'))
    op.drop_table('programme_break')
