"""unit scores: the admins' weights

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-28 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'score_weights',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.Column('solved', sa.Integer(), nullable=False),
        sa.Column('satisfied', sa.Integer(), nullable=False),
        sa.Column('kept', sa.Integer(), nullable=False),
        sa.Column('not_extended', sa.Integer(), nullable=False),
        sa.Column('contacted', sa.Integer(), nullable=False),
        sa.Column('minimum_items', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_score_weights')),
    )


def downgrade():
    op.drop_table('score_weights')
