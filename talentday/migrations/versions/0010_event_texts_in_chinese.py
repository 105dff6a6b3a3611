"""the Chinese version of each text of an event

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 04:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COLUMNS = [
    ('title_zh', sa.String(length=300)),
    ('theme_zh', sa.String(length=500)),
    ('description_zh', sa.Text()),
    ('venue_zh', sa.String(length=300)),
    ('host_zh', sa.String(length=300)),
    ('presiding_official_zh', sa.String(length=300)),
    ('attending_leaders_zh', sa.Text()),
]


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
