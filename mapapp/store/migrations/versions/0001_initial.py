"""The initial schema: every table of mapapp.store.models as of version 0.1, and on
PostgreSQL the PostGIS geometry columns with their GiST indexes.

Revision ID: 0001
Revises:
"""

from alembic import op

from mapapp.store import postgis
from mapapp.store.models import Base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    Base.metadata.create_all(bind)
    if bind.dialect.name == "postgresql":
        postgis.add_geometry_columns(bind)


def downgrade() -> None:
    Base.metadata.drop_all(op.get_bind())
