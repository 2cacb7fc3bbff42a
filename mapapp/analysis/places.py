"""One place, one flag: listed sites that are flagged by the same points form one place, and
only the place's lead member carries the flag.

**Links.** Two listed sites (flagged, rising or fading in the period) are **linked** when their
circles overlap (centres at most 2 × radius apart) and the points inside both circles are at
least half of the points of the smaller of the two (the same points made both flags: a
station, its centre and the playgrounds around the square). The points are those of the
period; for a link that involves a fading site also those of the period before (when it was
flagged by them). A place is a connected group of linked sites (union–find); a site linked to
none is a place of its own.

**Lead.** The place is named after its most important member: centre > station > school >
preschool > playground > address > anything else; among equals the one with the stronger
evidence: flagged or rising before only fading, then the one nearest the **centre of the
place's points** (the mode of the period's points of the strongest reason's kind and band in
the members' circles, found by mean shift with a window of half the radius), then the smaller
q, then the name. *Why the centre before q:* two schools 30 m apart see almost the same
points, so their q-values differ only by a few background points either way; where the points
concentrate says at which of them the problem is.

**One flag.** Only the lead carries the place's ``flagged``, ``rising``, ``persistent`` and
``fading`` (any member flagged / rising / persistent; fading when no member is flagged and one
is fading). The other members keep the place's name and their own observed, expected and q
figures, and say whose place they are in (``in_place_of``), but are not separate flags.
*Why:* a cluster of points between a school yard and two playgrounds is one problem for one
meeting; counted as three flags (or three rising sites) it crowds the list and tells the
meeting there are three problems where there is one.
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
                ) -> NDArray[np.bool_]:
    """Boolean links between the rows of ``members`` (sites × points, 1 = point in circle)."""
    m = members.astype(np.float64)
    shared = (m @ m.T).toarray()
    size = np.asarray(m.sum(axis=1)).ravel()
    smaller = np.minimum(size[:, None], size[None, :])
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    link = (d <= 2 * radius_m) & (shared >= SHARED_SHARE * smaller) & (smaller > 0)
    np.fill_diagonal(link, True)
    return np.asarray(link)


def _members(idx: NDArray[np.int64], n: int, counts: SiteCounts, period_index: int
             ) -> sp.csr_matrix:
    """Sites ``idx`` × points of the period (1 = the point lies in the site's circle)."""
    pair_site, pair_point = counts.circle_members(idx, period_index)
    pos = np.full(n, -1, dtype=np.int64)
    pos[idx] = np.arange(len(idx))
    # compact the point ids to those that occur, so the matrix stays small
    uniq, pp = np.unique(pair_point, return_inverse=True)
    members = sp.csr_matrix((np.ones(len(pair_site)), (pos[pair_site], pp)),
                            shape=(len(idx), max(len(uniq), 1)))
    members.sum_duplicates()
    members.data[:] = 1.0
    return members


def cluster_centre(counts: SiteCounts, idx: NDArray[np.int64], period_index: int,
                   kind: int, band: int, start: NDArray[np.float64], window_m: float,
                   steps: int = 30) -> NDArray[np.float64] | None:
    """The mode (EPSG:3006) of the points of ``kind`` and ``band`` (index into
    :data:`~mapapp.analysis.periods.ALL_BANDS`; ``alla`` = every point) of the period within the
    circles of the sites ``idx``: mean shift with a flat window of ``window_m`` from ``start``.
    None when there are no such points."""
    from mapapp.analysis.expected import _SLOTS, KINDS
    from mapapp.analysis.periods import ALL_BANDS

    _, rows = counts.circle_members(idx, period_index)
    rows = np.unique(rows)
    g = counts.point_group[rows]
    keep = (g // _SLOTS) % len(KINDS) == kind
    if ALL_BANDS[band] != "alla":
        keep &= g % _SLOTS == band
    inv = np.full(int(counts.rows.max()) + 1 if len(counts.rows) else 0, -1, dtype=np.int64)
    inv[counts.rows] = np.arange(len(counts.rows))
    pos = inv[rows[keep]]
    xy = counts.pxy[pos[pos >= 0]]
    if len(xy) == 0:
        return None
    c = np.asarray(start, dtype=np.float64)
    for _ in range(steps):
        near = np.hypot(*(xy - c).T) <= window_m
        if not near.any():
            break
        new = xy[near].mean(axis=0)
        if np.hypot(*(new - c)) < 0.5:
            c = new
            break
        c = new
    return c


def merge_places(sites: pd.DataFrame, xy: NDArray[np.float64], listed: NDArray[np.bool_],
                 counts: SiteCounts, period_index: int, radius_m: float, *,
                 fading: NDArray[np.bool_] | None = None,
                 evidence: NDArray[np.float64] | None = None,
                 active: NDArray[np.bool_] | None = None,
                 focus: tuple[NDArray[np.int64], NDArray[np.int64]] | None = None,
                 ) -> tuple[NDArray[Any], NDArray[Any]]:
    """``(place_id, place_name)`` per site; None for sites that are not listed. The place id
    is the site index of the lead member. ``fading``: listed sites that are only fading
    (linked on the period before too); ``evidence``: a q per site (smaller = stronger) and
    ``active``: flagged or rising, and ``focus``: (kind, band) indices of each site's strongest
reason, for choosing the lead among sites of equal kind (:func:`cluster_centre`)."""
    n = len(sites)
    pid = np.full(n, None, dtype=object)
    pname = np.full(n, None, dtype=object)
    idx = np.flatnonzero(listed)
    if len(idx) == 0:
        return pid, pname
    members = _members(idx, n, counts, period_index)
    links = link_matrix(members, xy[idx], radius_m)
    fad = np.zeros(len(idx), bool) if fading is None else np.asarray(fading)[idx]
    if fad.any() and period_index >= 1:
        before = link_matrix(_members(idx, n, counts, period_index - 1), xy[idx], radius_m)
        links |= before & (fad[:, None] | fad[None, :])
    _, comp = connected_components(sp.csr_matrix(links), directed=False)
    size = np.asarray(members.sum(axis=1)).ravel()
    kinds = sites["kind"].to_numpy(dtype=object) if "kind" in sites else np.full(n, None)
    names = sites["name"].astype(str).to_numpy()
    ev = np.ones(n) if evidence is None else np.nan_to_num(np.asarray(evidence, float),
                                                           nan=1.0)
    act = np.ones(n, bool) if active is None else np.asarray(active)
    for c in np.unique(comp):
        local = np.flatnonzero(comp == c)
        mem = idx[local]
        rank = [(importance(kinds[m]), not act[m]) for m in mem]
        top = [j for j in range(len(mem)) if rank[j] == min(rank)]
        dist = np.zeros(len(mem))
        if len(top) > 1 and focus is not None:
            ref = mem[min(top, key=lambda j: ev[mem[j]])]
            centre = cluster_centre(counts, mem, period_index, int(focus[0][ref]),
                                    int(focus[1][ref]), xy[ref], radius_m / 2)
            if centre is not None:
                dist = np.hypot(*(xy[mem] - centre).T)
        head = min(top, key=lambda j: (dist[j], ev[mem[j]], -size[local[j]], names[mem[j]]))
        pid[mem] = int(mem[head])
        pname[mem] = names[mem[head]]
    return pid, pname


def place_flags(place_id: NDArray[Any], own: dict[str, NDArray[np.bool_]]
                ) -> dict[str, NDArray[Any]]:
    """The place's flags on its lead (False on the other members and unlisted sites), from
    the members' own ``flagged``, ``rising``, ``persistent``, ``fading``; and ``place_sites``
    (members of the site's place, 0 when not in one) and ``lead`` (the site leads a place)."""
    n = len(place_id)
    has = np.fromiter((p is not None for p in place_id), dtype=bool, count=n)
    pid = np.where(has, place_id, -1).astype(np.int64)
    lead = has & (pid == np.arange(n))

    def any_of(a: NDArray[np.bool_]) -> NDArray[np.bool_]:
        hit = np.zeros(n, bool)
        hit[pid[has & a]] = True
        return hit

    flagged = any_of(own["flagged"])
    out = {"flagged": lead & flagged, "rising": lead & any_of(own["rising"]),
           "persistent": lead & any_of(own["persistent"]),
           "fading": lead & ~flagged & any_of(own["fading"]), "lead": lead}
    sizes = np.bincount(pid[has], minlength=n)
    out["place_sites"] = np.where(has, sizes[np.maximum(pid, 0)], 0)
    return out
