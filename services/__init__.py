"""The domain: SQLAlchemy models and business logic. Never imports Flask, marshmallow or search."""
