"""The local (Europe/Stockholm) day of each point, kept at write time for grouping in the
database, and the walk drafts table. A database made by 0001 after these were added to the
models has them already; this revision adds what is missing (older rows keep local_day NULL,
which the aggregates fall back from).

Revision ID: 0002
Revises: 0001
"""

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from mapapp.store.models import Base, WalkDraft

    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table in ("incidents", "observations"):
        with warnings.catch_warnings():  # PostGIS geometry columns are unknown to the inspector
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            names = {c["name"] for c in inspector.get_columns(table)}
        if "local_day" not in names:
            with op.batch_alter_table(table) as batch:
                batch.add_column(sa.Column("local_day", sa.Date(), nullable=True))
    if not inspector.has_table(WalkDraft.__tablename__):
        Base.metadata.tables[WalkDraft.__tablename__].create(bind)


def downgrade() -> None:
    for table in ("incidents", "observations"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("local_day")
