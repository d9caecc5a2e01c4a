"""tpay: trade-in payouts sent after commit (a status and the provider's last error)

Revision ID: tpay_0001
Revises: tradeins_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'tpay_0001'
down_revision = 'tradeins_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tradein_payouts', sa.Column('status', sa.String(length=8), server_default='sent', nullable=False))
    op.add_column('tradein_payouts', sa.Column('error', sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column('tradein_payouts', 'error')
    op.drop_column('tradein_payouts', 'status')
