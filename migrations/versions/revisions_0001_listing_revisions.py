"""revisions: material changes to published listings held for review (listing_revisions), the
approved price, and photos proposed by a revision

Revision ID: revisions_0001
Revises: 0001_foundation
Create Date: 2026-12-04 23:00:00.000000

Listings already on sale take their current price as the approved one.
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'revisions_0001'
down_revision = '0001_foundation'
branch_labels = ('revisions',)
depends_on = None

_PENDING = sa.text("status = 'pending'")


def upgrade():
    op.create_table('listing_revisions',
    sa.Column('listing_id', sa.Uuid(), nullable=False),
    sa.Column('proposed_by', sa.Uuid(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', 'withdrawn', name='revisionstatus',
                                native_enum=False, length=17), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('removed_photo_ids', sa.JSON(), nullable=False),
    sa.Column('base_revision', sa.Integer(), nullable=False),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_listing_revisions_listing_id_listings'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by'], ['users.id'], name=op.f('fk_listing_revisions_proposed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_revisions'))
    )
    with op.batch_alter_table('listing_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_revisions_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index('ix_listing_revisions_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('uq_listing_revisions_pending', ['listing_id'], unique=True,
                              postgresql_where=_PENDING, sqlite_where=_PENDING)

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_price_fen', sa.BigInteger(), nullable=True))
    op.execute("UPDATE listings SET approved_price_fen = price_fen "
               "WHERE status IN ('published', 'reserved', 'sold')")

    with op.batch_alter_table('listing_photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_listing_photos_revision_id'), ['revision_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_listing_photos_revision_id_listing_revisions'),
                                    'listing_revisions', ['revision_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('listing_photos', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_listing_photos_revision_id_listing_revisions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_listing_photos_revision_id'))
        batch_op.drop_column('revision_id')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('approved_price_fen')
    op.drop_table('listing_revisions')
