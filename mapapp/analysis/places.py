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
the members' circles, found by mean shift with a window of half the radius on at most
2,000 of them), then the smaller q, then the name. *Why the centre before q:* two schools
30 m apart see almost the same points, so their q-values differ only by a few background
points either way; where the points concentrate says at which of them the problem is.

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
MODE_SAMPLE = 2000  # points for a cluster centre's mean shift at most


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


def _members(idx: NDArray[np.int64], n: int, pair_site: NDArray[np.int64],
             pair_pos: NDArray[np.int64]) -> sp.csr_matrix:
    """Sites ``idx`` × points (1 = the point lies in the site's circle), from the (site,
    point position) pairs of :meth:`~mapapp.analysis.expected.SiteCounts.circle_pairs`."""
    pos = np.full(n, -1, dtype=np.int64)
    pos[idx] = np.arange(len(idx))
    # compact the point ids to those that occur, so the matrix stays small
    uniq, pp = np.unique(pair_pos, return_inverse=True)
    members = sp.csr_matrix((np.ones(len(pair_site)), (pos[pair_site], pp)),
                            shape=(len(idx), max(len(uniq), 1)))
    members.sum_duplicates()
    members.data[:] = 1.0
    return members


def cluster_centre(counts: SiteCounts, pos: NDArray[np.int64], kind: int, band: int,
                   start: NDArray[np.float64], window_m: float, steps: int = 15
                   ) -> NDArray[np.float64] | None:
    """The mode (EPSG:3006) of the points at positions ``pos`` of ``counts`` (those in the
    circles of a place's members) of ``kind`` and ``band`` (index into
    :data:`~mapapp.analysis.periods.ALL_BANDS`; ``alla`` = every point): mean shift with a
    flat window of ``window_m`` from ``start``. None when there are no such points."""
    from mapapp.analysis.expected import _SLOTS, KINDS
    from mapapp.analysis.periods import ALL_BANDS

    pos = np.unique(pos)  # a point in two members' circles counts once
    g = counts.point_group[counts.rows[pos]]
    keep = (g // _SLOTS) % len(KINDS) == kind
    if ALL_BANDS[band] != "alla":
        keep &= g % _SLOTS == band
    xy = counts.pxy[pos[keep]]
    if len(xy) == 0:
        return None
    if len(xy) > MODE_SAMPLE:  # a big place: an even sample finds the same mode, cheaper
        xy = xy[:: len(xy) // MODE_SAMPLE + 1]
    c = np.asarray(start, dtype=np.float64)
    for _ in range(steps):
        near = np.hypot(*(xy - c).T) <= window_m
        if not near.any():
            break
        new = xy[near].mean(axis=0)
        moved = float(np.hypot(*(new - c)))
        c = new
        if moved < 1.0:
            break
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
    fad = np.zeros(len(idx), bool) if fading is None else np.asarray(fading)[idx]
    two = bool(fad.any()) and period_index >= 1
    # one pass over the points: this period's pairs (and the period before's, for fading)
    pair_site, pair_pos = counts.circle_pairs(
        idx, (period_index - 1, period_index) if two else period_index)
    if two:
        from mapapp.analysis.expected import _SLOTS, KINDS

        per = counts.point_group[counts.rows[pair_pos]] // (_SLOTS * len(KINDS)) \
            - counts.period_offset
        prev = per == period_index - 1
        bs, bp = pair_site[prev], pair_pos[prev]
        now = per == period_index
        pair_site, pair_pos = pair_site[now], pair_pos[now]
    members = _members(idx, n, pair_site, pair_pos)
    links = link_matrix(members, xy[idx], radius_m)
    if two:
        # the period before links the fading sites (and the listed sites near them)
        d = np.hypot(*(xy[idx][:, None, :] - xy[idx][None, fad, :]).transpose(2, 0, 1))
        near = np.flatnonzero((d <= 2 * radius_m).any(axis=1))
        sub = idx[near]
        keep = np.isin(bs, sub)
        before = link_matrix(_members(sub, n, bs[keep], bp[keep]), xy[sub], radius_m)
        fs = fad[near]
        links[np.ix_(near, near)] |= before & (fs[:, None] | fs[None, :])
    _, comp = connected_components(sp.csr_matrix(links), directed=False)
    size = np.asarray(members.sum(axis=1)).ravel()
    # each site's points (positions), for the cluster centres: one sort, then slices
    order = np.argsort(pair_site, kind="stable")
    cuts = np.searchsorted(pair_site[order], idx, side="left"), \
        np.searchsorted(pair_site[order], idx, side="right")
    by_site = {int(i): pair_pos[order[a:b]] for i, a, b in zip(idx, *cuts, strict=True)}
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
            centre = cluster_centre(counts, np.concatenate([by_site[m] for m in mem]),
                                    int(focus[0][ref]), int(focus[1][ref]), xy[ref],
                                    radius_m / 2)
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
