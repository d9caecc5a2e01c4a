"""listings: a remanufactured listing's catalogue entry and warranty (issue 22)

Revision ID: reman_0002
Revises: reman_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'reman_0002'
down_revision = 'reman_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reman_entry_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('warranty_months', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('warranty_months')
        batch_op.drop_column('reman_entry_id')
