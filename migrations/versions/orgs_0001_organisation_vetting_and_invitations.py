"""organisation vetting (USCC, recycling registration, operator decision) and membership invitations

Revision ID: orgs_0001
Revises: 0001_foundation
Create Date: 2026-12-04 22:35:45.879755
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'orgs_0001'
down_revision = '0001_foundation'
branch_labels = ('orgs',)
depends_on = None


def upgrade():
    op.create_table('org_invitations',
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('invited_by', sa.Uuid(), nullable=True),
    sa.Column('role', sa.Enum('owner', 'staff', name='memberrole', native_enum=False, length=13), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'revoked', name='invitationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('responded_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['invited_by'], ['users.id'], name=op.f('fk_org_invitations_invited_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_org_invitations_org_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_org_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_invitations'))
    )
    with op.batch_alter_table('org_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_invitations_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_invitations_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_org_invitations_pending', ['org_id', 'user_id'], unique=True, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))

    # Existing organisations start unverified: nobody has checked them yet.
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_status', sa.Enum('unverified', 'pending', 'verified', 'rejected', name='orgstatus', native_enum=False, length=18), server_default='unverified', nullable=False))
        batch_op.add_column(sa.Column('uscc', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('recycling_reg_no', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('verification_reason', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('verified_at', services.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_organizations_uscc'), ['uscc'], unique=False)


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_uscc'))
        batch_op.drop_column('verified_at')
        batch_op.drop_column('verification_reason')
        batch_op.drop_column('recycling_reg_no')
        batch_op.drop_column('uscc')
        batch_op.drop_column('verification_status')

    with op.batch_alter_table('org_invitations', schema=None) as batch_op:
        batch_op.drop_index('uq_org_invitations_pending', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_org_invitations_user_id'))
        batch_op.drop_index(batch_op.f('ix_org_invitations_org_id'))

    op.drop_table('org_invitations')
