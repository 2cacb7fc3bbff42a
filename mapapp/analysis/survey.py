"""The actor survey's results per zone, for the map and the documents: shares with the number
who answered, and the small-count rule.

The input is what :func:`mapapp.council.survey.results` (or ``trend``) returns: records
``{zone, problem, reported, answered}`` (``month`` too for a trend), where ``reported`` is
the number of recipients answering "Lite" or "Mycket" and ``answered`` the number who
answered anything for that zone. Here:

- ``share = reported / answered``;
- **small counts**: where fewer than ``suppress_below`` recipients answered for a zone (the
  snapshot's rule, ``MAPAPP_SUPPRESS_BELOW``, 5), the zone's shares are not given
  (``suppressed``): with three answers a share would tell what each organisation said;
- the map colours a zone by its highest share (:func:`zone_summary`) in four classes
  (:data:`SHARE_CLASSES`), or ``suppressed``.

Pure: numbers and codes, no words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

SHARE_COLUMNS = ["zone", "problem", "reported", "answered", "share", "suppressed"]
SUMMARY_COLUMNS = ["zone", "answered", "suppressed", "top_problem", "top_share", "status"]
#: (class, lowest share in it): 0–24 %, 25–49 %, 50–74 %, 75–100 %
SHARE_CLASSES: tuple[tuple[str, float], ...] = (("low", 0.0), ("some", 0.25), ("many", 0.5),
                                                ("most", 0.75))


def share_class(share: float) -> str:
    """The map's class of a share (0–1).

    >>> [share_class(s) for s in (0.0, 0.24, 0.25, 0.5, 0.74, 0.75, 1.0)]
    ['low', 'low', 'some', 'many', 'many', 'most', 'most']
    """
    out = SHARE_CLASSES[0][0]
    for name, low in SHARE_CLASSES:
        if share >= low:
            out = name
    return out


def zone_shares(results: Iterable[Mapping[str, Any]], *, suppress_below: int,
                order: Iterable[str] = ()) -> pd.DataFrame:
    """One row per zone and problem (and month, when the records have one): ``reported``,
    ``answered``, ``share`` (NaN where suppressed) and ``suppressed`` (answered <
    ``suppress_below``). ``order``: the problems' order (others after, by name).

    >>> df = zone_shares([{"zone": "A", "problem": "x", "reported": 3, "answered": 6},
    ...                   {"zone": "B", "problem": "x", "reported": 1, "answered": 2}],
    ...                  suppress_below=5)
    >>> df[["zone", "share", "suppressed"]].to_dict("records")
    [{'zone': 'A', 'share': 0.5, 'suppressed': False}, {'zone': 'B', 'share': nan, 'suppressed': True}]
    """
    rows = [dict(r) for r in results]
    cols = (["month"] if rows and "month" in rows[0] else []) + SHARE_COLUMNS
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows)
    df["reported"] = df["reported"].astype(int)
    df["answered"] = df["answered"].astype(int)
    df["suppressed"] = df["answered"] < int(suppress_below)
    share = df["reported"] / df["answered"].where(df["answered"] > 0)
    df["share"] = share.where(~df["suppressed"]).astype(float)
    rank = {p: i for i, p in enumerate(order)}
    df["_rank"] = [rank.get(str(p), len(rank)) for p in df["problem"]]
    keys = (["month"] if "month" in cols else []) + ["zone", "_rank", "problem"]
    df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    return df[cols]


def zone_summary(shares: pd.DataFrame) -> pd.DataFrame:
    """One row per zone of :func:`zone_shares` (one month): ``answered``, ``suppressed``, the
    problem with the highest share (the first in order on a tie) and that share, and the
    map's ``status`` (a :data:`SHARE_CLASSES` name, or ``suppressed``)."""
    out = []
    for zone, g in shares.groupby("zone", sort=False):
        answered = int(g["answered"].max())
        if bool(g["suppressed"].any()):
            out.append({"zone": zone, "answered": answered, "suppressed": True,
                        "top_problem": None, "top_share": math.nan, "status": "suppressed"})
            continue
        best = g.loc[g["share"].idxmax()]
        out.append({"zone": zone, "answered": answered, "suppressed": False,
                    "top_problem": str(best["problem"]), "top_share": float(best["share"]),
                    "status": share_class(float(best["share"]))})
    return pd.DataFrame(out, columns=SUMMARY_COLUMNS)


__all__ = ["SHARE_CLASSES", "share_class", "zone_shares", "zone_summary"]
