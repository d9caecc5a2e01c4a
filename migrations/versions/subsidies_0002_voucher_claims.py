"""subsidies: recycling voucher claims (one voucher backs at most one subsidised purchase)

Revision ID: subsidies_0002
Revises: subsidies_0001
Create Date: 2026-12-04 17:03:28.838438
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'subsidies_0002'
down_revision = 'subsidies_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subsidy_voucher_claims',
    sa.Column('voucher_key', sa.String(length=60), nullable=False),
    sa.Column('voucher_id', sa.Uuid(), nullable=True),
    sa.Column('reservation_id', sa.Uuid(), nullable=False),
    sa.Column('claimed_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('freed_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['reservation_id'], ['subsidy_reservations.id'], name=op.f('fk_subsidy_voucher_claims_reservation_id_subsidy_reservations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_voucher_claims'))
    )
    with op.batch_alter_table('subsidy_voucher_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_voucher_claims_reservation_id'), ['reservation_id'], unique=False)
        batch_op.create_index('uq_subsidy_voucher_claims_held', ['voucher_key'], unique=True, postgresql_where=sa.text('freed_at IS NULL'), sqlite_where=sa.text('freed_at IS NULL'))


def downgrade():
    with op.batch_alter_table('subsidy_voucher_claims', schema=None) as batch_op:
        batch_op.drop_index('uq_subsidy_voucher_claims_held', postgresql_where=sa.text('freed_at IS NULL'), sqlite_where=sa.text('freed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_subsidy_voucher_claims_reservation_id'))
    op.drop_table('subsidy_voucher_claims')
