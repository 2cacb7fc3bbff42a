"""A covering index (zone_id, category, local_day) on incidents and observations, so that the
counts per zone × category × local day stream through the index instead of sorting every row
(SQLite has no hash aggregate; PostgreSQL can use it for an index-only scan). A database made
by 0001 after the index was added to the models has it already.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = (("incidents", "ix_incidents_zone_category_day"),
           ("observations", "ix_observations_zone_category_day"))


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table, name in INDEXES:
        if name not in {ix["name"] for ix in inspector.get_indexes(table)}:
            op.create_index(name, table, ["zone_id", "category", "local_day"])


def downgrade() -> None:
    for table, name in INDEXES:
        op.drop_index(name, table_name=table)
