"""indexes for province scale: the ledger's sort orders, unit desks, co-units, returns

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 22:45:00

Every sort order of the ledger gets a partial index over the counted items (those not merged
into another), so that a page reads 25 entries in order instead of sorting every item; the
unit desk and the unit filters read a unit's items by state in due order; co-units and
returns are looked up from covering indexes. SQLite and PostgreSQL both take partial indexes
and indexes on expressions.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

COUNTED = sa.text("merged_into_id IS NULL")

LEDGER_INDEXES = {
    "ix_followup_item_ledger_due": [sa.text("(due_on IS NULL)"), "due_on", "id"],
    "ix_followup_item_ledger_due_desc": [
        sa.text("(due_on IS NULL)"), sa.text("due_on DESC"), sa.text("id DESC"),
    ],
    "ix_followup_item_ledger_raised": ["created_at", "id"],
    "ix_followup_item_ledger_number": ["id"],
    "ix_followup_item_ledger_state": ["state", "id"],
    "ix_followup_item_ledger_state_due": ["state", sa.text("(due_on IS NULL)"), "due_on", "id"],
}


MERGED = sa.text("merged_into_id IS NOT NULL")
FOR_A_UNIT = sa.text("unit_id IS NOT NULL")


def upgrade():
    with op.batch_alter_table('followup_item', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_item_lead_unit_state')
        # An index of every item's merged_into_id (almost all NULL) made SQLite read them all
        # for `merged_into_id IS NULL`, then sort: only the merged duplicates are kept in it.
        batch_op.drop_index('ix_followup_item_merged_into_id')
        batch_op.create_index(
            'ix_followup_item_merged_into', ['merged_into_id'], unique=False,
            sqlite_where=MERGED, postgresql_where=MERGED,
        )
        batch_op.create_index(
            'ix_followup_item_lead_unit_state_due',
            ['lead_unit_id', 'state', 'due_on', 'id'],
            unique=False,
        )
    for name, columns in LEDGER_INDEXES.items():
        op.create_index(
            name, 'followup_item', columns, unique=False,
            sqlite_where=COUNTED, postgresql_where=COUNTED,
        )
    with op.batch_alter_table('followup_item_co_unit', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_item_co_unit_unit_id')
        batch_op.create_index(
            'ix_followup_item_co_unit_unit_item', ['unit_id', 'item_id'], unique=False
        )
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        # Only entries written for a unit: see the model for why.
        batch_op.create_index(
            'ix_timeline_entry_kind_unit_item', ['kind', 'unit_id', 'item_id'], unique=False,
            sqlite_where=FOR_A_UNIT, postgresql_where=FOR_A_UNIT,
        )


def downgrade():
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_timeline_entry_kind_unit_item')
    with op.batch_alter_table('followup_item_co_unit', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_item_co_unit_unit_item')
        batch_op.create_index('ix_followup_item_co_unit_unit_id', ['unit_id'], unique=False)
    for name in reversed(LEDGER_INDEXES):
        op.drop_index(name, table_name='followup_item')
    with op.batch_alter_table('followup_item', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_item_merged_into')
        batch_op.create_index('ix_followup_item_merged_into_id', ['merged_into_id'], unique=False)
        batch_op.drop_index('ix_followup_item_lead_unit_state_due')
        batch_op.create_index(
            'ix_followup_item_lead_unit_state', ['lead_unit_id', 'state'], unique=False
        )
