"""disputes: a partial index on `return` decisions by decision time, for the lapse job

Revision ID: lapse_0001
Revises: disputes_0001
Create Date: 2026-12-05 08:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'lapse_0001'
down_revision = 'disputes_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_disputes_return_resolved_at', 'disputes', ['resolved_at'], unique=False,
                    postgresql_where=sa.text("outcome = 'return'"), sqlite_where=sa.text("outcome = 'return'"))


def downgrade():
    op.drop_index('ix_disputes_return_resolved_at', table_name='disputes',
                  postgresql_where=sa.text("outcome = 'return'"), sqlite_where=sa.text("outcome = 'return'"))
