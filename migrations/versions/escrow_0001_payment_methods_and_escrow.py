"""escrow: Alipay and WeChat Pay beside card and cash; how a payment is captured; the buyer's next action

Revision ID: escrow_0001
Revises: outbox2_0001
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = 'escrow_0001'
down_revision = 'outbox2_0001'
branch_labels = None
depends_on = None


def upgrade():
    # The enum is stored as a plain string (services.db.enum_column): only its width grows.
    with op.batch_alter_table('orders') as batch_op:
        batch_op.alter_column('payment_method',
                              existing_type=sa.Enum('card', 'cash', name='paymentmethod', native_enum=False, length=12),
                              type_=sa.Enum('card', 'alipay', 'wechat_pay', 'cash', name='paymentmethod',
                                            native_enum=False, length=18),
                              existing_nullable=False)
    with op.batch_alter_table('payments') as batch_op:
        batch_op.add_column(sa.Column('capture_method', sa.String(length=10), server_default='manual', nullable=False))
        batch_op.add_column(sa.Column('next_action', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('payments') as batch_op:
        batch_op.drop_column('next_action')
        batch_op.drop_column('capture_method')
    with op.batch_alter_table('orders') as batch_op:
        batch_op.alter_column('payment_method',
                              existing_type=sa.Enum('card', 'alipay', 'wechat_pay', 'cash', name='paymentmethod',
                                                    native_enum=False, length=18),
                              type_=sa.Enum('card', 'cash', name='paymentmethod', native_enum=False, length=12),
                              existing_nullable=False)
