"""scale: keyset indexes for the listing index, so a page deep by cursor costs what the first does

The listing index pages by (created_at, id) newest first. With only (status, created_at), the
cursor condition could not be an index condition: PostgreSQL walked every row before the cursor
and filtered it (a page 500 pages deep read 10,000 rows at 100,000 listings, 24 ms; see
docs/SCALING.md). (status, created_at, id) and (status, category, created_at, id) let the row
comparison `(created_at, id) < (:at, :id)` start the scan at the cursor. The old
(status, created_at) index is a prefix of the new one and is dropped.

Built CONCURRENTLY on PostgreSQL (outside the migration's transaction): a live catalogue of a
million listings keeps taking writes while the index builds.

Revision ID: scale_0001
Revises: 0001_foundation
"""
from alembic import op

revision = 'scale_0001'
down_revision = '0001_foundation'
branch_labels = ('scale',)
depends_on = None

NEW = {
    'ix_listings_status_created_id': ['status', 'created_at', 'id'],
    'ix_listings_status_category_created_id': ['status', 'category', 'created_at', 'id'],
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if _postgres():
        with op.get_context().autocommit_block():
            for name, cols in NEW.items():
                op.create_index(name, 'listings', cols, unique=False, postgresql_concurrently=True,
                                if_not_exists=True)
            op.drop_index('ix_listings_status_created', table_name='listings', postgresql_concurrently=True,
                          if_exists=True)
        return
    with op.batch_alter_table('listings', schema=None) as batch_op:
        for name, cols in NEW.items():
            batch_op.create_index(name, cols, unique=False)
        batch_op.drop_index('ix_listings_status_created')


def downgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index('ix_listings_status_created', ['status', 'created_at'], unique=False)
        for name in NEW:
            batch_op.drop_index(name)
