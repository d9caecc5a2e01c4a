"""outbox: payment operations (Stripe calls recorded in the transaction, sent after commit)

Revision ID: outbox_0001
Revises: storecredit_0001
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'outbox_0001'
down_revision = 'storecredit_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_operations',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('payout_id', sa.Uuid(), nullable=True),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('request', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sent', 'done', 'failed', name='operationstate', native_enum=False, length=15), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_payment_operations_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_operations')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payment_operations_idempotency_key'))
    )
    with op.batch_alter_table('payment_operations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_operations_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_payment_operations_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('payment_operations', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_operations_state_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_payment_operations_order_id'))
    op.drop_table('payment_operations')
