"""PostGIS additions: generated ``geom`` columns with GiST indexes on the spatial tables.

The ORM tables keep lon/lat and WKB on every backend; on PostgreSQL these statements add a
``geom`` column that the database keeps in step by itself, so bulk inserts stay identical.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

POINT_TABLES = ("incidents", "observations", "sites", "survey_answers")
POLYGON_TABLES = ("zones", "stadsdelar")
METRIC_TABLES = ("incidents", "observations")


def add_geometry_columns(conn: Connection) -> None:
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    for table in POINT_TABLES:
        add_point_geometry(conn, table)
    for table in METRIC_TABLES:
        # SWEREF 99 TM metres, kept by the database, for grid binning without a transform
        # per query (mapapp.store.aggregates).
        for axis, fn in (("x_m", "ST_X"), ("y_m", "ST_Y")):
            conn.execute(text(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {axis} double precision "
                f"GENERATED ALWAYS AS (CASE WHEN lon IS NULL OR lat IS NULL THEN NULL ELSE "
                f"{fn}(ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 3006)) END) STORED"
            ))
    for table in POLYGON_TABLES:
        conn.execute(text(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS geom geometry(Geometry, 4326) "
            f"GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromWKB(geom_wkb), 4326)) STORED"
        ))
        conn.execute(text(
            f"CREATE INDEX IF NOT EXISTS ix_{table}_geom ON {table} USING GIST (geom)"
        ))


def add_point_geometry(conn: Connection, table: str) -> None:
    """The generated ``geom`` point column (NULL where lon or lat is) and its GiST index."""
    conn.execute(text(
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS geom geometry(Point, 4326) "
        f"GENERATED ALWAYS AS (CASE WHEN lon IS NULL OR lat IS NULL THEN NULL "
        f"ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED"
    ))
    conn.execute(text(
        f"CREATE INDEX IF NOT EXISTS ix_{table}_geom ON {table} USING GIST (geom)"
    ))
