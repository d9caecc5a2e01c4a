"""subsidies: budget pools, quota locks, campaigns, till sales, reservations with snapshot lines, claims

Revision ID: subsidies_0001
Revises: 0001_foundation
Create Date: 2026-11-24 05:43:58.547018
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'subsidies_0001'
down_revision = '0001_foundation'
branch_labels = ('subsidies',)
depends_on = None


def upgrade():
    op.create_table('subsidy_pools',
    sa.Column('programme_id', sa.String(length=60), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('region_prefix', sa.String(length=6), nullable=False),
    sa.Column('budget_fen', sa.BigInteger(), nullable=False),
    sa.Column('reserved_fen', sa.BigInteger(), nullable=False),
    sa.Column('redeemed_fen', sa.BigInteger(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('closed_reason', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('reserved_fen + redeemed_fen <= budget_fen', name=op.f('ck_subsidy_pools_within_budget')),
    sa.CheckConstraint('reserved_fen >= 0 AND redeemed_fen >= 0', name=op.f('ck_subsidy_pools_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_pools')),
    sa.UniqueConstraint('programme_id', 'region_prefix', name=op.f('uq_subsidy_pools_programme_id_region_prefix'))
    )

    with op.batch_alter_table('subsidy_pools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_pools_programme_id'), ['programme_id'], unique=False)

    op.create_table('subsidy_quota_locks',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_subsidy_quota_locks'))
    )

    op.create_table('subsidy_campaigns',
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('bonuses', sa.JSON(), nullable=False),
    sa.Column('requires_handed_in', sa.Boolean(), nullable=False),
    sa.Column('stacking', sa.Enum('discount', 'exclusive', name='stacking', native_enum=False, length=17), nullable=False),
    sa.Column('budget_fen', sa.BigInteger(), nullable=False),
    sa.Column('reserved_fen', sa.BigInteger(), nullable=False),
    sa.Column('redeemed_fen', sa.BigInteger(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('reserved_fen + redeemed_fen <= budget_fen', name=op.f('ck_subsidy_campaigns_within_budget')),
    sa.CheckConstraint('reserved_fen >= 0 AND redeemed_fen >= 0', name=op.f('ck_subsidy_campaigns_non_negative')),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_subsidy_campaigns_window')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_subsidy_campaigns_created_by_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_subsidy_campaigns_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_campaigns'))
    )

    with op.batch_alter_table('subsidy_campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_campaigns_org_id'), ['org_id'], unique=False)

    op.create_table('subsidy_claims',
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.String(length=60), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'approved', 'rejected', 'paid', name='claimstatus', native_enum=False, length=17), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('items_count', sa.Integer(), nullable=False),
    sa.Column('decision_reason', sa.String(length=500), nullable=True),
    sa.Column('submitted_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_subsidy_claims_period')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_subsidy_claims_created_by_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_subsidy_claims_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_claims'))
    )

    with op.batch_alter_table('subsidy_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_claims_org_id'), ['org_id'], unique=False)

    op.create_table('subsidy_till_sales',
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('invoice_no', sa.String(length=40), nullable=False),
    sa.Column('sold_on', sa.Date(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('buyer_id_hash', sa.String(length=64), nullable=False),
    sa.Column('buyer_id_last4', sa.String(length=4), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('brand', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=80), nullable=False),
    sa.Column('device_hash', sa.String(length=64), nullable=True),
    sa.Column('device_last4', sa.String(length=4), nullable=True),
    sa.Column('price_fen', sa.BigInteger(), nullable=False),
    sa.Column('quote_request', sa.JSON(), nullable=False),
    sa.Column('recycler_name', sa.String(length=120), nullable=True),
    sa.Column('recycling_voucher_no', sa.String(length=60), nullable=True),
    sa.Column('old_device_hash', sa.String(length=64), nullable=True),
    sa.Column('old_device_last4', sa.String(length=4), nullable=True),
    sa.Column('wipe_certificate_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_subsidy_till_sales_created_by_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_subsidy_till_sales_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_till_sales')),
    sa.UniqueConstraint('org_id', 'invoice_no', name=op.f('uq_subsidy_till_sales_org_id_invoice_no'))
    )

    with op.batch_alter_table('subsidy_till_sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_till_sales_buyer_id_hash'), ['buyer_id_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_till_sales_device_hash'), ['device_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_till_sales_old_device_hash'), ['old_device_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_till_sales_org_id'), ['org_id'], unique=False)

    op.create_table('subsidy_reservations',
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('sale_id', sa.Uuid(), nullable=True),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('buyer_user_id', sa.Uuid(), nullable=True),
    sa.Column('buyer_id_hash', sa.String(length=64), nullable=False),
    sa.Column('buyer_id_last4', sa.String(length=4), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('purchase_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('status', sa.Enum('reserved', 'redeemed', 'released', 'clawed_back', name='reservationstatus', native_enum=False, length=19), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('slot_consumed', sa.Boolean(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('quote_request', sa.JSON(), nullable=False),
    sa.Column('reserved_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('redeemed_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('clawed_back_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('clawback_reason', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['buyer_user_id'], ['users.id'], name=op.f('fk_subsidy_reservations_buyer_user_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_subsidy_reservations_org_id_organizations')),
    sa.ForeignKeyConstraint(['sale_id'], ['subsidy_till_sales.id'], name=op.f('fk_subsidy_reservations_sale_id_subsidy_till_sales')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_reservations'))
    )

    with op.batch_alter_table('subsidy_reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_reservations_buyer_id_hash'), ['buyer_id_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_reservations_org_id'), ['org_id'], unique=False)
        batch_op.create_index('uq_subsidy_reservations_active_order', ['order_id'], unique=True, postgresql_where=sa.text("status IN ('reserved', 'redeemed')"), sqlite_where=sa.text("status IN ('reserved', 'redeemed')"))
        batch_op.create_index('uq_subsidy_reservations_active_sale', ['sale_id'], unique=True, postgresql_where=sa.text("status IN ('reserved', 'redeemed')"), sqlite_where=sa.text("status IN ('reserved', 'redeemed')"))

    op.create_table('subsidy_applied',
    sa.Column('reservation_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.String(length=60), nullable=False),
    sa.Column('programme_version', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Uuid(), nullable=True),
    sa.Column('pool_id', sa.Uuid(), nullable=True),
    sa.Column('rule', sa.String(length=60), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('scheme', sa.String(length=20), nullable=True),
    sa.Column('basis_fen', sa.BigInteger(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('explanation_zh', sa.String(length=500), nullable=False),
    sa.Column('explanation_en', sa.String(length=500), nullable=False),
    sa.Column('claim_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['subsidy_campaigns.id'], name=op.f('fk_subsidy_applied_campaign_id_subsidy_campaigns')),
    sa.ForeignKeyConstraint(['claim_id'], ['subsidy_claims.id'], name=op.f('fk_subsidy_applied_claim_id_subsidy_claims')),
    sa.ForeignKeyConstraint(['pool_id'], ['subsidy_pools.id'], name=op.f('fk_subsidy_applied_pool_id_subsidy_pools')),
    sa.ForeignKeyConstraint(['reservation_id'], ['subsidy_reservations.id'], name=op.f('fk_subsidy_applied_reservation_id_subsidy_reservations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_applied'))
    )

    with op.batch_alter_table('subsidy_applied', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_applied_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_applied_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_applied_pool_id'), ['pool_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_applied_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_applied_reservation_id'), ['reservation_id'], unique=False)


def downgrade():
    op.drop_table('subsidy_applied')
    op.drop_table('subsidy_reservations')
    op.drop_table('subsidy_till_sales')
    op.drop_table('subsidy_claims')
    op.drop_table('subsidy_campaigns')
    op.drop_table('subsidy_quota_locks')
    op.drop_table('subsidy_pools')
