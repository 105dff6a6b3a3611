"""outbox messages an organizer discarded

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 01:45:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Enum columns are VARCHAR with a CHECK constraint, which autogenerate does not compare: the
# new status needs the constraint replaced by hand.
OLD_STATUSES = ["queued", "sent", "failed"]
NEW_STATUSES = OLD_STATUSES + ["discarded"]
STATUS_CHECK = "ck_outbox_message_message_status"


def _replace_status_check(statuses):
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_='check')
        batch_op.create_check_constraint(
            op.f(STATUS_CHECK), "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"
        )


def upgrade():
    _replace_status_check(NEW_STATUSES)


def downgrade():
    # A discarded message was never sent: it goes back to failed and stops being retried.
    op.execute("UPDATE outbox_message SET status = 'failed', attempts = 99 WHERE status = 'discarded'")
    _replace_status_check(OLD_STATUSES)
