"""scale: indexes so that costs whose answer does not grow stay flat as the catalogue grows

1. Keyset indexes for the listing index, so a page deep by cursor costs what the first does.

The listing index pages by (created_at, id) newest first. With only (status, created_at), the
cursor condition could not be an index condition: PostgreSQL walked every row before the cursor
and filtered it (a page 500 pages deep read 10,000 rows at 100,000 listings, 24 ms; see
docs/SCALING.md). (status, created_at, id) and (status, category, created_at, id) let the row
comparison `(created_at, id) < (:at, :id)` start the scan at the cursor. The old
(status, created_at) index is a prefix of the new one and is dropped.

2. The database search backend's selective filters (kind, city, county), after `published`
(the backend asks `published IS true`, which is an index condition on a (published, column) index
but does not prove a partial index's `WHERE published`): a narrow filtered search (refrigerators, grade 1, in Guangzhou) read every document for
its page, its total and each facet (9 statements of 0.8 s each at 1,000,000 listings); with these
it reads its matches.

Built CONCURRENTLY on PostgreSQL (outside the migration's transaction): a live catalogue of a
million listings keeps taking writes while the index builds.

Revision ID: scale_0001
Revises: 0001_foundation
"""
from alembic import op

revision = 'scale_0001'
down_revision = '0001_foundation'
branch_labels = ('scale',)
depends_on = ('search_0001',)

SEARCH = ('kind', 'region_city', 'region_code')  # services.search.models.SELECTIVE_FILTERS
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
            for column in SEARCH:
                op.create_index(f'ix_search_documents_published_{column}', 'search_documents',
                                ['published', column], postgresql_concurrently=True, if_not_exists=True)
        return
    with op.batch_alter_table('listings', schema=None) as batch_op:
        for name, cols in NEW.items():
            batch_op.create_index(name, cols, unique=False)
        batch_op.drop_index('ix_listings_status_created')
    for column in SEARCH:
        op.create_index(f'ix_search_documents_published_{column}', 'search_documents', ['published', column])


def downgrade():
    for column in SEARCH:
        op.drop_index(f'ix_search_documents_published_{column}', table_name='search_documents')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index('ix_listings_status_created', ['status', 'created_at'], unique=False)
        for name in NEW:
            batch_op.drop_index(name)
