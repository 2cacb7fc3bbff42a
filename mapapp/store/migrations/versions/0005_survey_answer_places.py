"""Where a survey answer's problem was seen: ``lon``, ``lat`` and ``site_id`` on
``survey_answers`` (a site chosen from the list, or a map tap snapped to its 100 m cell; a
place, never a person), and on PostgreSQL the generated PostGIS ``geom`` column with its GiST
index. A database made by 0001 after these were added to the models has them already; this
revision adds what is missing, and removes them on downgrade.

Revision ID: 0005
Revises: 0004
"""

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLE = "survey_answers"


def _columns(bind: sa.Connection) -> set[str]:
    with warnings.catch_warnings():  # PostGIS geometry columns are unknown to the inspector
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        return {c["name"] for c in sa.inspect(bind).get_columns(TABLE)}


def upgrade() -> None:
    from mapapp.store import postgis

    bind = op.get_bind()
    have = _columns(bind)
    missing = [c for c in ("lon", "lat", "site_id") if c not in have]
    if missing:
        with op.batch_alter_table(TABLE) as batch:
            if "lon" in missing:
                batch.add_column(sa.Column("lon", sa.Float(), nullable=True))
            if "lat" in missing:
                batch.add_column(sa.Column("lat", sa.Float(), nullable=True))
            if "site_id" in missing:
                batch.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
                batch.create_foreign_key("fk_survey_answers_site_id", "sites", ["site_id"],
                                         ["id"], ondelete="SET NULL")
    if bind.dialect.name == "postgresql":
        postgis.add_point_geometry(bind, TABLE)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS ix_{TABLE}_geom")
        op.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS geom")
    have = _columns(bind)
    with op.batch_alter_table(TABLE) as batch:
        for col in ("site_id", "lat", "lon"):
            if col in have:
                batch.drop_column(col)
