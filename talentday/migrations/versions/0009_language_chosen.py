"""whether an account's language was chosen on the switcher

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 02:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('locale_chosen', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Until now only the switcher wrote an account's language.
    op.execute("UPDATE user_account SET locale_chosen = TRUE WHERE locale IS NOT NULL")


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('locale_chosen')
