"""Persistence: SQLAlchemy models, engine, migrations, unit of work and repositories."""
