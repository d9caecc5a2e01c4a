"""users.phone (the mainland mobile number texts go to, services/accounts/phones.py); a listing's
shipping terms (shipping_fee_fen, free_shipping) and an order's (fulfilment, shipping_fee_fen,
shipping_paid_by), with the refund bound widened by the buyer-paid shipping fee.

Revision ID: ship2_0001
Revises: ship16_0001
Create Date: 2026-12-05 04:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'ship2_0001'
down_revision = 'ship16_0001'
branch_labels = None
depends_on = None

_BUYER_SHIPPING = "CASE WHEN shipping_paid_by = 'buyer' THEN shipping_fee_fen ELSE 0 END"


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=11), nullable=True))
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipping_fee_fen', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('free_shipping', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fulfilment', sa.Enum('meetup', 'shipped', name='fulfilment', native_enum=False,
                                                            length=15), server_default='meetup', nullable=False))
        batch_op.add_column(sa.Column('shipping_fee_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('shipping_paid_by', sa.Enum('buyer', 'seller', name='shippingpayer',
                                                                  native_enum=False, length=14),
                                      server_default='buyer', nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_orders_refund_bounded'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_orders_refund_bounded'),
            "refunded_fen >= 0 AND refunded_fen <= price_fen - subsidy_fen - store_credit_fen + " + _BUYER_SHIPPING)
        batch_op.create_check_constraint(op.f('ck_orders_shipping_fee_not_negative'), 'shipping_fee_fen >= 0')


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_orders_shipping_fee_not_negative'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_orders_refund_bounded'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_orders_refund_bounded'), "refunded_fen >= 0 AND refunded_fen <= price_fen - subsidy_fen - store_credit_fen")
        batch_op.drop_column('shipping_paid_by')
        batch_op.drop_column('shipping_fee_fen')
        batch_op.drop_column('fulfilment')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('free_shipping')
        batch_op.drop_column('shipping_fee_fen')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone')
