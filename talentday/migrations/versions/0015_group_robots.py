"""group robots: a unit's WeCom or DingTalk robot, and each message's channel

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 08:20:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

CHANNELS = ('email', 'wecom', 'dingtalk')


def _channel_type(name):
    return sa.Enum(*CHANNELS, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    with op.batch_alter_table('responsible_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('robot_channel', _channel_type('robot_channel'), nullable=True))
        batch_op.add_column(sa.Column('robot_webhook_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('robot_secret', sa.String(length=200), nullable=True))

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('channel', _channel_type('message_channel'), server_default='email', nullable=False)
        )
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_message_unit_id_responsible_unit'),
            'responsible_unit', ['unit_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    # Robot messages have no address to go back to: they leave with the channel.
    op.execute("DELETE FROM outbox_message WHERE channel != 'email'")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_unit_id_responsible_unit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_message_unit_id'))
        batch_op.drop_column('unit_id')
        batch_op.drop_constraint(op.f('ck_outbox_message_message_channel'), type_='check')
        batch_op.drop_column('channel')

    with op.batch_alter_table('responsible_unit', schema=None) as batch_op:
        batch_op.drop_column('robot_secret')
        batch_op.drop_column('robot_webhook_url')
        batch_op.drop_constraint(op.f('ck_responsible_unit_robot_channel'), type_='check')
        batch_op.drop_column('robot_channel')
