"""The Alembic migrations and the SQLAlchemy models describe the same schema (on PostgreSQL)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from marketplace.cli import alembic_config
from services.models import metadata


def test_models_and_migrations_agree(db_url):
    assert db_url.startswith("postgresql")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"


def test_database_is_at_every_head(db_url):
    script = ScriptDirectory.from_config(alembic_config(db_url))
    engine = create_engine(db_url)
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    engine.dispose()
    assert current == set(script.get_heads())
