"""storecredit: orders record the platform-issued part of their store credit; store credit may pay
the whole price

Revision ID: storecredit_0001
Revises: orders_0001
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = 'storecredit_0001'
down_revision = 'orders_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform_credit_fen', sa.BigInteger(), server_default=sa.text('0'),
                                      nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_orders_deductions_bounded'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_orders_deductions_bounded'),
            'subsidy_fen >= 0 AND store_credit_fen >= 0 AND subsidy_fen + store_credit_fen <= price_fen')
        batch_op.create_check_constraint(
            op.f('ck_orders_platform_credit_bounded'),
            'platform_credit_fen >= 0 AND platform_credit_fen <= store_credit_fen')


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_orders_platform_credit_bounded'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_orders_deductions_bounded'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_orders_deductions_bounded'),
            'subsidy_fen >= 0 AND store_credit_fen >= 0 AND subsidy_fen + store_credit_fen < price_fen')
        batch_op.drop_column('platform_credit_fen')
