"""wipe: certificate summaries on listings and search documents, consumers' wipe requests (issue 13)

Revision ID: wipe_0001
Revises: certificates_0001, search_0001
Create Date: 2026-12-04 22:36:35.356687
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'wipe_0001'
# Extends the certificates branch and the search branch (it adds a column to search_documents,
# which must exist first): a merge point, so every head stays a real head of the database.
down_revision = ('certificates_0001', 'search_0001')
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wipe_requests',
    sa.Column('consumer_id', sa.Uuid(), nullable=False),
    sa.Column('recycler_org_id', sa.Uuid(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('pickup_id', sa.Uuid(), nullable=True),
    sa.Column('device_kind', sa.String(length=20), nullable=False),
    sa.Column('make', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=80), nullable=False),
    sa.Column('device_hash', sa.String(length=64), nullable=True),
    sa.Column('device_last4', sa.String(length=4), nullable=True),
    sa.Column('serial_hash', sa.String(length=64), nullable=True),
    sa.Column('serial_last4', sa.String(length=4), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('requested', 'accepted', 'certified', 'declined', 'cancelled', name='wiperequeststatus', native_enum=False, length=17), nullable=False),
    sa.Column('decline_reason', sa.String(length=300), nullable=True),
    sa.Column('certificate_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['wipe_certificates.id'], name=op.f('fk_wipe_requests_certificate_id_wipe_certificates')),
    sa.ForeignKeyConstraint(['consumer_id'], ['users.id'], name=op.f('fk_wipe_requests_consumer_id_users')),
    sa.ForeignKeyConstraint(['recycler_org_id'], ['organizations.id'], name=op.f('fk_wipe_requests_recycler_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wipe_requests'))
    )
    with op.batch_alter_table('wipe_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wipe_requests_consumer_id'), ['consumer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wipe_requests_device_hash'), ['device_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_wipe_requests_recycler_org_id'), ['recycler_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wipe_requests_serial_hash'), ['serial_hash'], unique=False)

    # Plain ADD COLUMN (no batch copy): SQLite's FTS triggers on search_documents stay intact.
    op.add_column('listings', sa.Column('wipe_certificate', sa.JSON(), nullable=True))
    op.add_column('search_documents', sa.Column('certified', sa.Boolean(), nullable=True))


def downgrade():
    op.drop_column('search_documents', 'certified')
    op.drop_column('listings', 'wipe_certificate')
    with op.batch_alter_table('wipe_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wipe_requests_serial_hash'))
        batch_op.drop_index(batch_op.f('ix_wipe_requests_recycler_org_id'))
        batch_op.drop_index(batch_op.f('ix_wipe_requests_device_hash'))
        batch_op.drop_index(batch_op.f('ix_wipe_requests_consumer_id'))
    op.drop_table('wipe_requests')
