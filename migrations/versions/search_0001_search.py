"""search: the embedded search backend's documents (tsvector on PostgreSQL, FTS5 on SQLite)

Revision ID: search_0001
Revises: 0001_foundation
Create Date: 2026-11-24 05:37:41.776341
"""
from alembic import op
import sqlalchemy as sa
import services.db
from sqlalchemy.dialects import postgresql

revision = 'search_0001'
down_revision = '0001_foundation'
branch_labels = ('search',)
depends_on = None


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('listing_id', sa.Uuid(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('brand', sa.String(length=60), nullable=True),
    sa.Column('model', sa.String(length=80), nullable=True),
    sa.Column('suggest_title', sa.String(length=200), nullable=True),
    sa.Column('suggest_brand', sa.String(length=60), nullable=True),
    sa.Column('suggest_model', sa.String(length=160), nullable=True),
    sa.Column('title_tokens', sa.Text(), nullable=False),
    sa.Column('brand_tokens', sa.Text(), nullable=False),
    sa.Column('body_tokens', sa.Text(), nullable=False),
    sa.Column('tsv', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=True),
    sa.Column('condition', sa.String(length=20), nullable=True),
    sa.Column('energy_grade', sa.String(length=2), nullable=True),
    sa.Column('powertrain', sa.String(length=10), nullable=True),
    sa.Column('emission_standard', sa.String(length=10), nullable=True),
    sa.Column('seller_type', sa.String(length=12), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('region_province', sa.String(length=2), nullable=True),
    sa.Column('region_city', sa.String(length=4), nullable=True),
    sa.Column('price_fen', sa.BigInteger(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('mileage_km', sa.Integer(), nullable=True),
    sa.Column('storage_gb', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('published_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('listing_id', name=op.f('uq_search_documents_listing_id'))
    )
    op.create_index('ix_search_documents_price', 'search_documents', ['published', 'price_fen'])
    op.create_index('ix_search_documents_published_at', 'search_documents', ['published', 'published_at'])
    for column in ('suggest_title', 'suggest_brand', 'suggest_model'):
        op.create_index(f'ix_search_documents_{column}', 'search_documents', [column],
                        postgresql_ops={column: 'text_pattern_ops'})
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_search_documents_tsv', 'search_documents', ['tsv'], postgresql_using='gin')
    else:
        # FTS5 over our own tokens (search/text.py): whitespace separates, the joiners of model
        # strings stay inside tokens, nothing is folded twice. Triggers keep it in step.
        for statement in SQLITE_FTS:
            op.execute(statement)


SQLITE_FTS = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(title_tokens, brand_tokens, body_tokens,
       content='', tokenize="unicode61 remove_diacritics 0 tokenchars '-._+/'")""",
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
    """CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents WHEN new.published BEGIN
       INSERT INTO search_fts(rowid, title_tokens, brand_tokens, body_tokens)
       VALUES (new.id, new.title_tokens, new.brand_tokens, new.body_tokens); END""",
    """CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents WHEN old.published BEGIN
       INSERT INTO search_fts(search_fts, rowid, title_tokens, brand_tokens, body_tokens)
       VALUES ('delete', old.id, old.title_tokens, old.brand_tokens, old.body_tokens); END""",
    """CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
       INSERT INTO search_fts(search_fts, rowid, title_tokens, brand_tokens, body_tokens)
       SELECT 'delete', old.id, old.title_tokens, old.brand_tokens, old.body_tokens WHERE old.published;
       INSERT INTO search_fts(rowid, title_tokens, brand_tokens, body_tokens)
       SELECT new.id, new.title_tokens, new.brand_tokens, new.body_tokens WHERE new.published; END""",
]


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        for name in ('search_documents_au', 'search_documents_ad', 'search_documents_ai'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS search_fts_vocab')
        op.execute('DROP TABLE IF EXISTS search_fts')
    op.drop_table('search_documents')
