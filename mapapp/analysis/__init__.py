"""Pure computations on point and polygon frames: no I/O, no streamlit.

The *point frame* contract (what :mod:`mapapp.store` returns and these functions take): a
pandas DataFrame with ``id`` (int), ``kind`` ("incident"/"observation"), ``source``,
``category`` (code), ``occurred_at`` (datetime64 UTC), ``lon``/``lat`` (WGS84 float, NaN when
unplaced), ``zone`` (zone name or None), ``zone_id`` (Int64), ``stadsdel`` (name or None),
``precision``, ``description`` and ``sensitive`` (bool).
"""
