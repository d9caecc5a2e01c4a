"""remanufacturing: catalogue of recognised remanufacturers, battery recipients, NEV battery custody (issue 22)

Revision ID: reman_0001
Revises: 0001_foundation
Create Date: 2026-12-05 01:15:12.598121
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'reman_0001'
down_revision = '0001_foundation'
branch_labels = ('reman',)
depends_on = None


def upgrade():
    op.create_table('reman_battery_recipients',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('recipient_type', sa.Enum('oem_collection_point', 'cascade_use', 'recycling', name='recipienttype', native_enum=False, length=28), nullable=False),
    sa.Column('list_ref', sa.String(length=120), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('added_by', sa.Uuid(), nullable=False),
    sa.Column('withdrawn_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reman_battery_recipients'))
    )
    with op.batch_alter_table('reman_battery_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reman_battery_recipients_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index('uq_reman_recipients_live_code', ['credit_code', 'recipient_type'], unique=True, postgresql_where=sa.text('withdrawn_at IS NULL'), sqlite_where=sa.text('withdrawn_at IS NULL'))

    op.create_table('reman_catalogue_entries',
    sa.Column('enterprise_name', sa.String(length=120), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('product_name', sa.String(length=120), nullable=False),
    sa.Column('model', sa.String(length=80), nullable=False),
    sa.Column('basis', sa.Enum('miit_catalogue', 'auto_parts_2021', 'pilot_2015', name='basis', native_enum=False, length=23), nullable=False),
    sa.Column('announcement_no', sa.String(length=80), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=True),
    sa.Column('warranty_months', sa.Integer(), nullable=False),
    sa.Column('commitment_url', sa.String(length=300), nullable=True),
    sa.Column('quality_not_below_new', sa.Boolean(), nullable=False),
    sa.Column('lawful_core_sourcing', sa.Boolean(), nullable=False),
    sa.Column('added_by', sa.Uuid(), nullable=False),
    sa.Column('withdrawn_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_reason', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reman_catalogue_entries'))
    )
    with op.batch_alter_table('reman_catalogue_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reman_catalogue_entries_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index('uq_reman_catalogue_live_model', ['credit_code', 'model'], unique=True, postgresql_where=sa.text('withdrawn_at IS NULL'), sqlite_where=sa.text('withdrawn_at IS NULL'))

    op.create_table('reman_traction_batteries',
    sa.Column('recycler_org_id', sa.Uuid(), nullable=False),
    sa.Column('voucher_id', sa.Uuid(), nullable=True),
    sa.Column('scrap_certificate_no', sa.String(length=64), nullable=True),
    sa.Column('vin_hash', sa.String(length=64), nullable=False),
    sa.Column('vin_last4', sa.String(length=4), nullable=False),
    sa.Column('pack_code', sa.String(length=40), nullable=True),
    sa.Column('battery_type', sa.String(length=40), nullable=True),
    sa.Column('rated_capacity_kwh', sa.Double(), nullable=True),
    sa.Column('swap_mode', sa.Boolean(), nullable=False),
    sa.Column('vehicle_incomplete', sa.Boolean(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('missing', 'in_custody', 'handed_over', name='batterystatus', native_enum=False, length=19), nullable=False),
    sa.Column('recipient_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['reman_battery_recipients.id'], name=op.f('fk_reman_traction_batteries_recipient_id_reman_battery_recipients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reman_traction_batteries'))
    )
    with op.batch_alter_table('reman_traction_batteries', schema=None) as batch_op:
        batch_op.create_index('ix_reman_batteries_org_created', ['recycler_org_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reman_traction_batteries_pack_code'), ['pack_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_reman_traction_batteries_voucher_id'), ['voucher_id'], unique=False)
        batch_op.create_index('uq_reman_batteries_vin', ['vin_hash'], unique=True)

    op.create_table('reman_custody_events',
    sa.Column('battery_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=False),
    sa.Column('recipient_id', sa.Uuid(), nullable=True),
    sa.Column('report_due_on', sa.Date(), nullable=False),
    sa.Column('reported_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('platform_ref', sa.String(length=64), nullable=True),
    sa.Column('reported_late', sa.Boolean(), nullable=False),
    sa.Column('late_reason', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['battery_id'], ['reman_traction_batteries.id'], name=op.f('fk_reman_custody_events_battery_id_reman_traction_batteries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['reman_battery_recipients.id'], name=op.f('fk_reman_custody_events_recipient_id_reman_battery_recipients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reman_custody_events'))
    )
    with op.batch_alter_table('reman_custody_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reman_custody_events_battery_id'), ['battery_id'], unique=False)


    op.create_table('reman_graded_inspections',
    sa.Column('device_hash', sa.String(length=64), nullable=True),
    sa.Column('serial_hash', sa.String(length=64), nullable=True),
    sa.Column('org_id', sa.Uuid(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Uuid(), nullable=False),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('inspected_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reman_graded_inspections'))
    )
    with op.batch_alter_table('reman_graded_inspections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reman_graded_inspections_device_hash'), ['device_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_reman_graded_inspections_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reman_graded_inspections_serial_hash'), ['serial_hash'], unique=False)


def downgrade():
    op.drop_table('reman_graded_inspections')
    with op.batch_alter_table('reman_custody_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reman_custody_events_battery_id'))

    op.drop_table('reman_custody_events')
    with op.batch_alter_table('reman_traction_batteries', schema=None) as batch_op:
        batch_op.drop_index('uq_reman_batteries_vin')
        batch_op.drop_index(batch_op.f('ix_reman_traction_batteries_voucher_id'))
        batch_op.drop_index(batch_op.f('ix_reman_traction_batteries_pack_code'))
        batch_op.drop_index('ix_reman_batteries_org_created')

    op.drop_table('reman_traction_batteries')
    with op.batch_alter_table('reman_catalogue_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_reman_catalogue_live_model', postgresql_where=sa.text('withdrawn_at IS NULL'), sqlite_where=sa.text('withdrawn_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_reman_catalogue_entries_credit_code'))

    op.drop_table('reman_catalogue_entries')
    with op.batch_alter_table('reman_battery_recipients', schema=None) as batch_op:
        batch_op.drop_index('uq_reman_recipients_live_code', postgresql_where=sa.text('withdrawn_at IS NULL'), sqlite_where=sa.text('withdrawn_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_reman_battery_recipients_credit_code'))

    op.drop_table('reman_battery_recipients')
