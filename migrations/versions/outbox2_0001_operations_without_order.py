"""outbox2: a payment operation need not belong to an order (store-credit withdrawals)

Revision ID: outbox2_0001
Revises: outbox_0001
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = 'outbox2_0001'
down_revision = 'outbox_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payment_operations') as batch_op:
        batch_op.alter_column('order_id', existing_type=sa.Uuid(), nullable=True)


def downgrade():
    with op.batch_alter_table('payment_operations') as batch_op:
        batch_op.alter_column('order_id', existing_type=sa.Uuid(), nullable=False)
