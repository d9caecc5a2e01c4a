"""shipping and notification feed: shipments and their tracking events (services/shipping), the
in-app notification feed, its deliveries per channel and users' channel preferences
(services/notifications).

Revision ID: ship16_0001
Revises: 0001_foundation
Create Date: 2026-12-05 02:25:53.636278
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'ship16_0001'
down_revision = '0001_foundation'
branch_labels = ('shipping',)
depends_on = ('orders_0001',)  # shipments.order_id -> orders


def upgrade():
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('sms', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_preferences'))
    )
    op.create_table('notifications',
    sa.Column('recipient_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('event_key', sa.String(length=120), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('ref_type', sa.String(length=40), nullable=True),
    sa.Column('ref_id', sa.String(length=64), nullable=True),
    sa.Column('read_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_notifications_recipient_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('recipient_id', 'kind', 'event_key', name='uq_notifications_event')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_recipient_created', ['recipient_id', 'created_at'], unique=False)

    op.create_table('notification_deliveries',
    sa.Column('notification_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('due_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('sent_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_notification_deliveries_notification_id_notifications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_deliveries')),
    sa.UniqueConstraint('notification_id', 'channel', name='uq_notification_deliveries_channel')
    )
    with op.batch_alter_table('notification_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_notification_deliveries_status_due', ['status', 'due_at'], unique=False)

    op.create_table('shipments',
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('direction', sa.Enum('outbound', 'return', name='direction', native_enum=False, length=16), nullable=False),
    sa.Column('carrier', sa.String(length=10), nullable=False),
    sa.Column('tracking_number', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('shipped', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'exception', name='trackingstatus', native_enum=False, length=24), nullable=False),
    sa.Column('status_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shipping_fee_fen', sa.BigInteger(), nullable=False),
    sa.Column('fee_payer', sa.Enum('buyer', 'seller', name='feepayer', native_enum=False, length=14), nullable=False),
    sa.Column('shipped_by', sa.Uuid(), nullable=False),
    sa.Column('delivered_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders')),
    sa.ForeignKeyConstraint(['shipped_by'], ['users.id'], name=op.f('fk_shipments_shipped_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('carrier', 'tracking_number', name='uq_shipments_carrier_tracking')
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_order_id'), ['order_id'], unique=False)
        batch_op.create_index('uq_shipments_order_direction', ['order_id', 'direction'], unique=True)

    op.create_table('shipment_events',
    sa.Column('shipment_id', sa.Uuid(), nullable=False),
    sa.Column('carrier', sa.String(length=10), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.Enum('shipped', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'exception', name='trackingstatus', native_enum=False, length=24), nullable=False),
    sa.Column('occurred_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=True),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.Column('received_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_shipment_events_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_events')),
    sa.UniqueConstraint('carrier', 'event_id', name='uq_shipment_events_carrier_event')
    )
    with op.batch_alter_table('shipment_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_events_shipment_id'), ['shipment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('shipment_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_events_shipment_id'))

    op.drop_table('shipment_events')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index('uq_shipments_order_direction')
        batch_op.drop_index(batch_op.f('ix_shipments_order_id'))

    op.drop_table('shipments')
    with op.batch_alter_table('notification_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_deliveries_status_due')

    op.drop_table('notification_deliveries')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient_created')

    op.drop_table('notifications')
    op.drop_table('notification_preferences')
