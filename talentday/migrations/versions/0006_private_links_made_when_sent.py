"""private links made when sent, registrations held for confirmation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Enum columns are VARCHAR with a CHECK constraint, which autogenerate does not compare.
OLD_STATES = ["submitted", "approved", "waitlisted", "rejected", "withdrawn", "cancelled"]
NEW_STATES = OLD_STATES + ["unconfirmed"]
STATE_CHECK = "ck_registration_registration_state"


def _replace_state_check(states):
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(STATE_CHECK), type_='check')
        batch_op.create_check_constraint(
            op.f(STATE_CHECK), "state IN (" + ", ".join(f"'{s}'" for s in states) + ")"
        )


def upgrade():
    _replace_state_check(NEW_STATES)
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_nonce', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('pending_submission', sa.JSON(), nullable=True))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_link_marker', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('private_link_marker')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('pending_submission')
        batch_op.drop_column('link_nonce')
    op.execute("UPDATE registration SET state = 'withdrawn' WHERE state = 'unconfirmed'")
    _replace_state_check(OLD_STATES)
