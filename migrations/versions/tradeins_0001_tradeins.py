"""tradeins: trade-ins, price table, payouts and clawbacks; store-credit ledger; device blocklist

Revision ID: tradeins_0001
Revises: 0001_foundation
Create Date: 2026-11-24 05:45:22.131444
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'tradeins_0001'
down_revision = '0001_foundation'
branch_labels = ('tradeins',)
depends_on = None


def upgrade():
    op.create_table('blocklist',
    sa.Column('kind', sa.Enum('imei', 'vin', 'serial', name='kind', native_enum=False, length=14), nullable=False),
    sa.Column('value_hash', sa.String(length=64), nullable=False),
    sa.Column('last4', sa.String(length=4), nullable=False),
    sa.Column('reason', sa.Enum('lost', 'stolen', 'fraud', name='reason', native_enum=False, length=14), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('added_by', sa.Uuid(), nullable=False),
    sa.Column('removed_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('removed_by', sa.Uuid(), nullable=True),
    sa.Column('removal_reason', sa.String(length=500), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocklist'))
    )
    with op.batch_alter_table('blocklist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocklist_value_hash'), ['value_hash'], unique=False)
        batch_op.create_index('uq_blocklist_live_hash', ['value_hash'], unique=True, postgresql_where=sa.text('removed_at IS NULL'), sqlite_where=sa.text('removed_at IS NULL'))

    op.create_table('ledger_entries',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_type', sa.String(length=30), nullable=True),
    sa.Column('ref_id', sa.String(length=64), nullable=True),
    sa.Column('memo', sa.String(length=300), nullable=True),
    sa.Column('idempotency_key', sa.String(length=120), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_ledger_entries_idempotency_key'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_ref_id'), ['ref_id'], unique=False)

    op.create_table('ledger_accounts',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('store_credit', 'issuer', name='accountkind', native_enum=False, length=20), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('org_id', sa.Uuid(), nullable=True),
    sa.Column('allow_negative', sa.Boolean(), nullable=False),
    sa.Column('balance_fen', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('allow_negative OR balance_fen >= 0', name=op.f('ck_ledger_accounts_no_negative_balance')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_ledger_accounts_org_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ledger_accounts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('key', name=op.f('uq_ledger_accounts_key'))
    )
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_accounts_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_accounts_user_id'), ['user_id'], unique=False)

    op.create_table('tradein_prices',
    sa.Column('org_id', sa.Uuid(), nullable=True),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('brand', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=80), nullable=False),
    sa.Column('model_key', sa.String(length=160), nullable=False),
    sa.Column('base_price_fen', sa.BigInteger(), nullable=True),
    sa.Column('campaign_bonus_fen', sa.BigInteger(), nullable=False),
    sa.Column('campaign_name', sa.String(length=120), nullable=True),
    sa.Column('starts_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ends_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('base_price_fen IS NULL OR base_price_fen >= 0', name=op.f('ck_tradein_prices_base_not_negative')),
    sa.CheckConstraint('campaign_bonus_fen >= 0', name=op.f('ck_tradein_prices_bonus_not_negative')),
    sa.CheckConstraint('org_id IS NOT NULL OR base_price_fen IS NOT NULL', name=op.f('ck_tradein_prices_platform_has_base')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_tradein_prices_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tradein_prices'))
    )
    with op.batch_alter_table('tradein_prices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tradein_prices_org_id'), ['org_id'], unique=False)
        batch_op.create_index('uq_tradein_prices_org_model', ['org_id', 'category', 'model_key'], unique=True, postgresql_where=sa.text('org_id IS NOT NULL'), sqlite_where=sa.text('org_id IS NOT NULL'))
        batch_op.create_index('uq_tradein_prices_platform_model', ['category', 'model_key'], unique=True, postgresql_where=sa.text('org_id IS NULL'), sqlite_where=sa.text('org_id IS NULL'))

    op.create_table('tradeins',
    sa.Column('consumer_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=True),
    sa.Column('handler_org_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.Enum('quoted', 'accepted', 'in_transit', 'received', 'inspected', 'counter_offered', 'locked', 'blocked', 'returning', 'paid', 'returned', 'expired', 'cancelled', name='status', native_enum=False, length=23), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('brand', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=80), nullable=False),
    sa.Column('age_months', sa.Integer(), nullable=False),
    sa.Column('device_hash', sa.String(length=64), nullable=True),
    sa.Column('device_last4', sa.String(length=4), nullable=True),
    sa.Column('serial_hash', sa.String(length=64), nullable=True),
    sa.Column('serial_last4', sa.String(length=4), nullable=True),
    sa.Column('declared', sa.JSON(), nullable=False),
    sa.Column('price_entry_id', sa.Uuid(), nullable=True),
    sa.Column('base_price_fen', sa.BigInteger(), nullable=False),
    sa.Column('bonus_fen', sa.BigInteger(), nullable=False),
    sa.Column('bonus_label', sa.String(length=120), nullable=True),
    sa.Column('quoted_fen', sa.BigInteger(), nullable=False),
    sa.Column('quote_lines', sa.JSON(), nullable=False),
    sa.Column('expires_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handover_method', sa.Enum('pickup', 'dropoff', 'with_delivery', name='handover', native_enum=False, length=21), nullable=True),
    sa.Column('handover', sa.JSON(), nullable=True),
    sa.Column('payout_method', sa.Enum('cash', 'store_credit', name='payoutmethod', native_enum=False, length=20), nullable=True),
    sa.Column('payout_account', sa.String(length=64), nullable=True),
    sa.Column('inspection', sa.JSON(), nullable=True),
    sa.Column('inspected_by', sa.Uuid(), nullable=True),
    sa.Column('inspected_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('offer_fen', sa.BigInteger(), nullable=True),
    sa.Column('offer_lines', sa.JSON(), nullable=True),
    sa.Column('offer_expires_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('final_fen', sa.BigInteger(), nullable=True),
    sa.Column('prepaid_fen', sa.BigInteger(), nullable=False),
    sa.Column('paid_fen', sa.BigInteger(), nullable=False),
    sa.Column('return_carrier', sa.String(length=40), nullable=True),
    sa.Column('return_tracking_no', sa.String(length=60), nullable=True),
    sa.Column('status_reason', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('prepaid_fen >= 0 AND paid_fen >= 0', name=op.f('ck_tradeins_paid_not_negative')),
    sa.CheckConstraint('quoted_fen >= 0', name=op.f('ck_tradeins_quote_not_negative')),
    sa.ForeignKeyConstraint(['consumer_id'], ['users.id'], name=op.f('fk_tradeins_consumer_id_users')),
    sa.ForeignKeyConstraint(['handler_org_id'], ['organizations.id'], name=op.f('fk_tradeins_handler_org_id_organizations')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_tradeins_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tradeins'))
    )
    with op.batch_alter_table('tradeins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tradeins_consumer_id'), ['consumer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tradeins_device_hash'), ['device_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_tradeins_handler_org_id'), ['handler_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tradeins_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tradeins_serial_hash'), ['serial_hash'], unique=False)
        batch_op.create_index('ix_tradeins_status_expires', ['status', 'expires_at'], unique=False)

    op.create_table('ledger_postings',
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('balance_after_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('amount_fen <> 0', name=op.f('ck_ledger_postings_non_zero')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_postings_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_postings_entry_id_ledger_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_postings'))
    )
    with op.batch_alter_table('ledger_postings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_postings_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_postings_entry_id'), ['entry_id'], unique=False)

    op.create_table('tradein_clawbacks',
    sa.Column('tradein_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('recovered_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('due_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('amount_fen > 0 AND recovered_fen >= 0 AND recovered_fen <= amount_fen', name=op.f('ck_tradein_clawbacks_amounts_consistent')),
    sa.ForeignKeyConstraint(['tradein_id'], ['tradeins.id'], name=op.f('fk_tradein_clawbacks_tradein_id_tradeins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tradein_clawbacks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tradein_clawbacks'))
    )
    with op.batch_alter_table('tradein_clawbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tradein_clawbacks_tradein_id'), ['tradein_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tradein_clawbacks_user_id'), ['user_id'], unique=False)

    op.create_table('tradein_events',
    sa.Column('tradein_id', sa.Uuid(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tradein_id'], ['tradeins.id'], name=op.f('fk_tradein_events_tradein_id_tradeins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tradein_events'))
    )
    with op.batch_alter_table('tradein_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tradein_events_tradein_id'), ['tradein_id'], unique=False)

    op.create_table('tradein_payouts',
    sa.Column('tradein_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('method', sa.Enum('cash', 'store_credit', name='payoutmethod', native_enum=False, length=20), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('deducted_fen', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=True),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('amount_fen > 0 AND deducted_fen >= 0 AND deducted_fen <= amount_fen', name=op.f('ck_tradein_payouts_amounts_consistent')),
    sa.ForeignKeyConstraint(['tradein_id'], ['tradeins.id'], name=op.f('fk_tradein_payouts_tradein_id_tradeins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tradein_payouts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tradein_payouts'))
    )
    with op.batch_alter_table('tradein_payouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tradein_payouts_tradein_id'), ['tradein_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tradein_payouts_user_id'), ['user_id'], unique=False)

    op.create_table('tradein_photos',
    sa.Column('tradein_id', sa.Uuid(), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=30), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tradein_id'], ['tradeins.id'], name=op.f('fk_tradein_photos_tradein_id_tradeins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tradein_photos'))
    )
    with op.batch_alter_table('tradein_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tradein_photos_tradein_id'), ['tradein_id'], unique=False)

    op.create_table('tradein_clawback_recoveries',
    sa.Column('clawback_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=14), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['clawback_id'], ['tradein_clawbacks.id'], name=op.f('fk_tradein_clawback_recoveries_clawback_id_tradein_clawbacks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tradein_clawback_recoveries'))
    )
    with op.batch_alter_table('tradein_clawback_recoveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tradein_clawback_recoveries_clawback_id'), ['clawback_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tradein_clawback_recoveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tradein_clawback_recoveries_clawback_id'))

    op.drop_table('tradein_clawback_recoveries')
    with op.batch_alter_table('tradein_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tradein_photos_tradein_id'))

    op.drop_table('tradein_photos')
    with op.batch_alter_table('tradein_payouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tradein_payouts_user_id'))
        batch_op.drop_index(batch_op.f('ix_tradein_payouts_tradein_id'))

    op.drop_table('tradein_payouts')
    with op.batch_alter_table('tradein_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tradein_events_tradein_id'))

    op.drop_table('tradein_events')
    with op.batch_alter_table('tradein_clawbacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tradein_clawbacks_user_id'))
        batch_op.drop_index(batch_op.f('ix_tradein_clawbacks_tradein_id'))

    op.drop_table('tradein_clawbacks')
    with op.batch_alter_table('ledger_postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_postings_entry_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_postings_account_id'))

    op.drop_table('ledger_postings')
    with op.batch_alter_table('tradeins', schema=None) as batch_op:
        batch_op.drop_index('ix_tradeins_status_expires')
        batch_op.drop_index(batch_op.f('ix_tradeins_serial_hash'))
        batch_op.drop_index(batch_op.f('ix_tradeins_org_id'))
        batch_op.drop_index(batch_op.f('ix_tradeins_handler_org_id'))
        batch_op.drop_index(batch_op.f('ix_tradeins_device_hash'))
        batch_op.drop_index(batch_op.f('ix_tradeins_consumer_id'))

    op.drop_table('tradeins')
    with op.batch_alter_table('tradein_prices', schema=None) as batch_op:
        batch_op.drop_index('uq_tradein_prices_platform_model', postgresql_where=sa.text('org_id IS NULL'), sqlite_where=sa.text('org_id IS NULL'))
        batch_op.drop_index('uq_tradein_prices_org_model', postgresql_where=sa.text('org_id IS NOT NULL'), sqlite_where=sa.text('org_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_tradein_prices_org_id'))

    op.drop_table('tradein_prices')
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_user_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_org_id'))

    op.drop_table('ledger_accounts')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_ref_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_created_at'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('blocklist', schema=None) as batch_op:
        batch_op.drop_index('uq_blocklist_live_hash', postgresql_where=sa.text('removed_at IS NULL'), sqlite_where=sa.text('removed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_blocklist_value_hash'))

    op.drop_table('blocklist')
