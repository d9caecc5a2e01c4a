"""users.phone: the mainland mobile number text messages go to (services/accounts/phones.py).

Revision ID: ship2_0001
Revises: ship16_0001
Create Date: 2026-12-05 04:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'ship2_0001'
down_revision = 'ship16_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=11), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone')
