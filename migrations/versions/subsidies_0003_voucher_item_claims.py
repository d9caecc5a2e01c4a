"""subsidies: voucher claims per item (one old item backs one subsidised purchase; a voucher
listing several items backs as many purchases)

Revision ID: subsidies_0003
Revises: subsidies_0002
Create Date: 2026-12-05 10:00:00.000000

Claims held before this revision become item 0 of their voucher: under the old rule a voucher
had at most one held claim, so none collide.
"""
from alembic import op
import sqlalchemy as sa


revision = 'subsidies_0003'
down_revision = 'subsidies_0002'
branch_labels = None
depends_on = None

_HELD = sa.text('freed_at IS NULL')


def upgrade():
    op.add_column('subsidy_voucher_claims',
                  sa.Column('item_slot', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.drop_index('uq_subsidy_voucher_claims_held', table_name='subsidy_voucher_claims')
    op.create_index('uq_subsidy_voucher_claims_held', 'subsidy_voucher_claims', ['voucher_key', 'item_slot'],
                    unique=True, postgresql_where=_HELD, sqlite_where=_HELD)


def downgrade():
    # Going back to one held claim per voucher fails (unique violation) while any voucher backs
    # more than one purchase: free those claims first if that is really wanted.
    op.drop_index('uq_subsidy_voucher_claims_held', table_name='subsidy_voucher_claims')
    op.create_index('uq_subsidy_voucher_claims_held', 'subsidy_voucher_claims', ['voucher_key'],
                    unique=True, postgresql_where=_HELD, sqlite_where=_HELD)
    with op.batch_alter_table('subsidy_voucher_claims', schema=None) as batch_op:
        batch_op.drop_column('item_slot')
