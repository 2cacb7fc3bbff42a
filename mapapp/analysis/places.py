"""One place, one flag: listed sites that are flagged by the same points form one place.

Two listed sites (flagged or rising in the period) are **linked** when their circles overlap
(centres at most 2 × radius apart) and the points inside both circles in the period are at
least half of the points of the smaller of the two (the same points made both flags: a station,
its centre and the playgrounds around the square). A place is a connected group of linked
sites (union–find), named after its most important member: centre > station > school >
preschool > playground > address > anything else; among equals the one with most points, then
the name. A site that is linked to none is a place of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

if TYPE_CHECKING:
    from mapapp.analysis.expected import SiteCounts

IMPORTANCE: tuple[str, ...] = ("centre", "station", "school", "preschool", "playground",
                               "address")
SHARED_SHARE = 0.5


def importance(kind: Any) -> int:
    """Rank of a site kind (lower = more important).

    >>> [importance(k) for k in ("centre", "playground", "bench")]
    [0, 4, 6]
    """
    return IMPORTANCE.index(kind) if kind in IMPORTANCE else len(IMPORTANCE)


def link_matrix(members: sp.csr_matrix, xy: NDArray[np.float64], radius_m: float
                ) -> sp.csr_matrix:
    """Boolean links between the rows of ``members`` (sites × points, 1 = point in circle)."""
    m = members.astype(np.float64)
    shared = (m @ m.T).toarray()
    size = np.asarray(m.sum(axis=1)).ravel()
    smaller = np.minimum(size[:, None], size[None, :])
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    link = (d <= 2 * radius_m) & (shared >= SHARED_SHARE * smaller) & (smaller > 0)
    np.fill_diagonal(link, True)
    return sp.csr_matrix(link)


def merge_places(sites: pd.DataFrame, xy: NDArray[np.float64], listed: NDArray[np.bool_],
                 counts: SiteCounts, period_index: int, radius_m: float
                 ) -> tuple[NDArray[Any], NDArray[Any]]:
    """``(place_id, place_name)`` per site; None for sites that are not listed. The place id
    is the site index of the naming member."""
    n = len(sites)
    pid = np.full(n, None, dtype=object)
    pname = np.full(n, None, dtype=object)
    idx = np.flatnonzero(listed)
    if len(idx) == 0:
        return pid, pname
    pair_site, pair_point = counts.circle_members(idx, period_index)
    pos = np.full(n, -1, dtype=np.int64)
    pos[idx] = np.arange(len(idx))
    ps = pos[pair_site]
    pp = pair_point
    # compact the point ids to those that occur, so the matrix stays small
    uniq, pp = np.unique(pp, return_inverse=True)
    members = sp.csr_matrix((np.ones(len(ps)), (ps, pp)), shape=(len(idx), max(len(uniq), 1)))
    members.sum_duplicates()
    members.data[:] = 1.0
    links = link_matrix(members, xy[idx], radius_m)
    _, comp = connected_components(links, directed=False)
    size = np.asarray(members.sum(axis=1)).ravel()
    kinds = sites["kind"].to_numpy(dtype=object) if "kind" in sites else np.full(n, None)
    names = sites["name"].astype(str).to_numpy()
    for c in np.unique(comp):
        mem = idx[comp == c]
        local = np.flatnonzero(comp == c)
        head = min(range(len(mem)), key=lambda j: (importance(kinds[mem[j]]), -size[local[j]],
                                                   names[mem[j]]))
        pid[mem] = int(mem[head])
        pname[mem] = names[mem[head]]
    return pid, pname
