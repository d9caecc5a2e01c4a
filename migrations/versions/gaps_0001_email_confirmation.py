"""users.email_confirmed_at: registration answers the same for every address and the account is
activated by a confirmation link (services/accounts/signup.py). Accounts that exist already were
made before the step: they count as confirmed from their creation.

Revision ID: gaps_0001
Revises: 0001_foundation
Create Date: 2026-12-05 07:30:00
"""
from alembic import op
import sqlalchemy as sa

import services.db

revision = 'gaps_0001'
down_revision = '0001_foundation'
branch_labels = ('gaps',)
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', services.db.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
