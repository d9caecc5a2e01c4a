"""listings: a remanufactured listing's catalogue entry and warranty; legal class, cosmetic grade
and inspection facts, also on search documents for filters and facets (issue 22)

Revision ID: reman_0002
Revises: reman_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'reman_0002'
down_revision = 'reman_0001'
branch_labels = None
depends_on = ('search_0001',)  # search_documents gains the class and grade too


def upgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reman_entry_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('warranty_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('legal_class', sa.String(length=16), server_default='used', nullable=False))
        batch_op.add_column(sa.Column('cosmetic_grade', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('inspection', sa.JSON(), nullable=True))
    # Plain ADD COLUMN (no batch copy): SQLite's FTS triggers on search_documents stay intact.
    op.add_column('search_documents', sa.Column('legal_class', sa.String(length=16), nullable=True))
    op.add_column('search_documents', sa.Column('cosmetic_grade', sa.String(length=12), nullable=True))
    # Existing listings: the class follows from the condition (new, remanufactured, else used).
    op.execute("UPDATE listings SET legal_class = condition WHERE condition IN ('new', 'remanufactured')")


def downgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_column('cosmetic_grade')
        batch_op.drop_column('legal_class')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('inspection')
        batch_op.drop_column('cosmetic_grade')
        batch_op.drop_column('legal_class')
        batch_op.drop_column('warranty_months')
        batch_op.drop_column('reman_entry_id')
