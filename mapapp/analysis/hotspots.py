"""Site hotspots of one period: flagged (observed against expected, :mod:`expected`), rising,
persistent and fading, merged into places (:mod:`places`).

**Window.** For a period P the flags are computed for P and the (up to) three periods before
it, each period's p-values adjusted on their own (Benjamini–Hochberg over all sites × kinds ×
bands of that period).

**Rising** (new problem): a row (site, kind, band) is compared with its own history, the
previous periods of the window (up to three; at least one, two or more when the data have
them). With k the count in P and H the summed count of the h history periods, and D, D_H the
district's counts of the same kind and band in P and in the history, the null hypothesis is
"the site changed like the district": k | k + H ~ Binomial(k + H, D / (D + D_H)), the exact
conditional test for two Poisson counts (the history's level is itself estimated, so a
binomial and not a Poisson with a plug-in mean). One-sided (more than expected), BH over all
rows of P that have a history. A row is **rising** when q ≤ ``q``, its count is at least the
minimum and it is above its history's mean; a site is rising when any of its rows is.

**Persistent**: the site was flagged in at least two of the last three periods (P included).
**Fading**: the site was persistent in the period before P and is not flagged in P.

**One place, one flag** (:mod:`places`): sites flagged by the same points form a place, and
only its lead member carries ``flagged``, ``rising``, ``persistent`` and ``fading`` — the
place's flags (any member flagged, rising, persistent; fading when none is flagged). The other
members have ``in_place_of`` (the lead's name), their own ``count``, ``expected``, ``q_value``
and their own test results in ``own_flagged`` / ``own_rising``, but no flag: a site whose rise
is only the shared points of a place is not a second rising place. ``place_sites`` counts the
members; the lead's reason is that of the member that shows the place's status best
(``reason_site``; the lead itself unless a member rises and the lead does not).

The functions return numbers and codes; text is made at the edges
(:mod:`mapapp.render.hotspot_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import stats

from mapapp.analysis.expected import (
    Params,
    Prepared,
    SiteCounts,
    bh_qvalues,
    count_sites,
    site_tests,
    site_xy,
)
from mapapp.analysis.periods import ALL_BANDS, Period, list_periods, previous_period, utc_ns
from mapapp.analysis.places import merge_places, place_flags

WINDOW = 4  # P and three periods before it
SUMMARY_COLUMNS = ("site_index", "site_id", "name", "kind", "zone", "period", "count",
                   "expected", "q_value", "flagged", "rising", "persistent", "fading",
                   "times_flagged", "periods_flagged", "place", "place_id",
                   "in_place_of", "place_sites", "own_flagged", "own_rising",
                   "reason_site", "reason_kind", "reason_band", "reason_count", "reason_expected",
                   "reason_q", "reason_rising")


@dataclass(frozen=True, eq=False)
class SiteHotspots:
    """The result for one period: ``rows`` (every site × kind × tested band of ``period``
    with the flag and rise tests), ``summary`` (one row per site, :data:`SUMMARY_COLUMNS`,
    the list order: rising first, then persistent, then by q) and ``window_rows`` (the test
    rows of every period of the window)."""

    period: Period | None
    periods: list[Period]
    rows: pd.DataFrame
    summary: pd.DataFrame
    window_rows: pd.DataFrame
    counts: SiteCounts | None

    def reason_records(self, only_listed: bool = True) -> list[dict[str, Any]]:
        """The reasons as records (site, kind, band, count, expected, q, rising, persistent,
        fading, place), in list order; only flagged or rising sites by default."""
        s = self.summary
        if only_listed:
            s = s[s["flagged"] | s["rising"]]
        return [{"site": r["name"], "kind": r["reason_kind"], "band": r["reason_band"],
                 "count": r["reason_count"], "expected": r["reason_expected"],
                 "q": r["reason_q"], "rising": bool(r["rising"]),
                 "persistent": bool(r["persistent"]), "fading": bool(r["fading"]),
                 "place": r["place"]} for r in s.to_dict("records")]


def window(periods: Sequence[Period], target: Period, n: int = WINDOW) -> list[Period]:
    """The ``n`` periods ending at ``target`` (as many as exist before it), oldest first."""
    labels = [p.label for p in periods]
    if target.label in labels:
        i = labels.index(target.label)
        return list(periods[max(0, i - n + 1): i + 1])
    out = [target]
    while len(out) < n:
        out.insert(0, previous_period(out[0]))
    return out


def latest_period(points: pd.DataFrame, kind: str = "statistical", *,
                  stat_year_start_month: int = 9) -> Period | None:
    if len(points) == 0:
        return None
    ns = utc_ns(points["occurred_at"])
    if not (ns != np.iinfo(np.int64).min).any():
        return None
    ps = list_periods(points["occurred_at"], kind=kind,
                      stat_year_start_month=stat_year_start_month)
    return ps[-1] if ps else None


def rise_tests(c: SiteCounts, params: Params, target: int) -> dict[str, NDArray[Any]]:
    """History, expected-from-history, one-sided p and BH q of the rise test for period index
    ``target`` of ``c`` (arrays [site, kind, tested band])."""
    bi = np.array([ALL_BANDS.index(b) for b in ALL_BANDS if b in params.bands], dtype=np.int64)
    k = c.circle[:, target][:, :, bi]
    h = target  # history periods: every period of the window before the target
    shape = k.shape
    if h == 0:
        nan = np.full(shape, np.nan)
        return {"history": nan, "history_periods": np.zeros(shape, np.int64), "rise_expected": nan,
                "rise_p": nan, "rise_q": nan, "rising": np.zeros(shape, bool)}
    hist = c.circle[:, :target][:, :, :, bi].sum(axis=1)
    d_now = c.district[target][:, bi].astype("float64")
    d_hist = c.district[:target][:, :, bi].sum(axis=0).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(d_now + d_hist > 0, d_now / (d_now + d_hist), h / (h + 1.0))
    share = np.clip(share, 1e-12, 1 - 1e-12)
    share = np.broadcast_to(share[None], shape)
    n = k + hist
    p = np.where(k > 0, stats.binom.sf(k - 1, n, share), 1.0)
    q = bh_qvalues(p.ravel()).reshape(shape)
    expected_now = n * share
    rising = (q <= params.q) & (k >= params.min_count) & (k > hist / h)
    return {"history": hist.astype("float64"), "history_periods": np.full(shape, h, np.int64),
            "rise_expected": expected_now, "rise_p": p, "rise_q": q, "rising": rising}


def site_hotspots(points: pd.DataFrame | Prepared, sites: pd.DataFrame,
                  district: shapely.Geometry, *,
                  period: Period | None = None, period_kind: str = "statistical",
                  stat_year_start_month: int = 9, params: Params = Params(),
                  periods: Sequence[Period] | None = None,
                  counts: SiteCounts | None = None) -> SiteHotspots:
    """Flags, rises, persistence and places of every site in ``period`` (default: the latest
    period of ``period_kind`` with data). ``periods``: the available periods (default: those
    the data span). ``points`` may be :class:`~mapapp.analysis.expected.Prepared` arrays
    (then ``periods`` must be given). ``counts``: :func:`count_sites` of the same points and
    params over every period of ``periods`` (reused, e.g. when only the period changes)."""
    sites = sites.reset_index(drop=True)
    if periods is None and isinstance(points, Prepared):
        raise ValueError("periods are needed with prepared points")
    if periods is None:
        assert isinstance(points, pd.DataFrame)
        periods = (list_periods(points["occurred_at"], kind=period_kind,
                                stat_year_start_month=stat_year_start_month,
                                reference=period.last_day if period is not None
                                and period.kind == "rolling12" else None)
                   if len(points) else [])
    if period is None:
        period = periods[-1] if periods else None
    if period is None:
        empty = site_tests(count_sites(Prepared.of(pd.DataFrame()), sites,
                                       district, [], params),
                           sites, params)
        return SiteHotspots(None, [], empty, _summary_empty(), empty, None)
    win = window(periods, period)
    labels = [p.label for p in (counts.periods if counts is not None else [])]
    if counts is not None and all(p.label in labels for p in win):
        i0 = labels.index(win[0].label)
        c = counts.window(i0, i0 + len(win))
    else:
        c = count_sites(points, sites, district, win, params)
    rows_all = site_tests(c, sites, params)
    t = len(win) - 1
    rows = rows_all[rows_all["period"] == period.label].reset_index(drop=True)
    rise = rise_tests(c, params, t)
    for key, val in rise.items():
        rows[key] = val.ravel()
    summary = _summary(rows_all, rows, sites, win, c, params)
    return SiteHotspots(period, win, rows, summary, rows_all, c)


def _focus(best: pd.DataFrame) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(kind, band) indices of each site's reason row (incidents, all times when none)."""
    from mapapp.analysis.expected import KINDS

    kind = best["kind"].map({k: i for i, k in enumerate(KINDS)}).fillna(0)
    band = best["band"].map({b: i for i, b in enumerate(ALL_BANDS)}) \
        .fillna(ALL_BANDS.index("alla"))
    return kind.to_numpy(dtype=np.int64), band.to_numpy(dtype=np.int64)


def _summary_empty() -> pd.DataFrame:
    return pd.DataFrame(columns=list(SUMMARY_COLUMNS))


def _summary(rows_all: pd.DataFrame, rows: pd.DataFrame, sites: pd.DataFrame,
             win: list[Period], c: SiteCounts, params: Params) -> pd.DataFrame:
    ns_ = len(sites)
    labels = [p.label for p in win]
    flag_pp = np.zeros((ns_, len(win)), dtype=bool)  # flagged per site × window period
    hit = rows_all[rows_all["flagged"]]
    if len(hit):
        pos = {lab: i for i, lab in enumerate(labels)}
        flag_pp[hit["site_index"].to_numpy(), hit["period"].map(pos).to_numpy()] = True
    t = len(win) - 1
    flagged = flag_pp[:, t]
    last3 = flag_pp[:, max(0, t - 2): t + 1].sum(axis=1)
    persistent = last3 >= 2
    prev3 = flag_pp[:, max(0, t - 3): t].sum(axis=1) if t >= 1 else np.zeros(ns_, np.int64)
    fading = (prev3 >= 2) & ~flagged
    site_rows = rows.groupby("site_index")
    rising = np.zeros(ns_, dtype=bool)
    if "rising" in rows:
        r = site_rows["rising"].any()
        rising[r.index.to_numpy()] = r.to_numpy()
    # Reason: the flagged (else rising, else any) row with the smallest q.
    order_key = np.where(rows["flagged"], 0, np.where(rows.get("rising", False), 1, 2))
    ranked = rows.assign(_o=order_key, _q=np.where(rows["flagged"] | ~rows.get(
        "rising", pd.Series(False, index=rows.index)), rows["q_value"], rows.get("rise_q", 1.0)))
    best = ranked.sort_values(["site_index", "_o", "_q", "ratio"],
                              ascending=[True, True, True, False], kind="stable") \
        .drop_duplicates("site_index").set_index("site_index").reindex(range(ns_))
    ai = ALL_BANDS.index("alla")
    count_all = c.circle[:, t, :, ai].sum(axis=1)
    from mapapp.analysis.expected import expected_counts
    exp_all = expected_counts(c, params)[:, t, :, ai].sum(axis=1)
    min_q = site_rows["q_value"].min().reindex(range(ns_)).to_numpy(dtype="float64")
    reason_q = np.where(best["_o"].to_numpy() == 1, best.get("rise_q"),
                        best["q_value"]).astype("float64")
    active = flagged | rising
    place_id, place_name = merge_places(sites, site_xy(sites), active | fading, c, t,
                                        params.radius_m, fading=fading & ~active,
                                        evidence=reason_q, active=active,
                                        focus=_focus(best))
    own = {"flagged": flagged, "rising": rising, "persistent": persistent, "fading": fading}
    pf = place_flags(place_id, own)
    reason_from = np.arange(ns_)
    # A rising place whose lead does not rise itself: the reason is the rising member's.
    for lead in np.flatnonzero(pf["rising"] & ~rising):
        mem = np.flatnonzero((place_id == lead) & rising)
        reason_from[lead] = mem[np.argmin(reason_q[mem])]
    lead_name = np.where(pf["lead"], None, place_name)

    def col(name: str) -> NDArray[Any]:
        return (sites[name].astype(object).to_numpy() if name in sites
                else np.full(ns_, None, dtype=object))

    frame = pd.DataFrame({
        "site_index": np.arange(ns_, dtype=np.int64),
        "site_id": col("id"), "name": col("name"), "kind": col("kind"), "zone": col("zone"),
        "period": win[t].label, "count": count_all.astype("int64"),
        "expected": exp_all.astype("float64"), "q_value": min_q,
        "flagged": pf["flagged"], "rising": pf["rising"], "persistent": pf["persistent"],
        "fading": pf["fading"],
        "times_flagged": flag_pp.sum(axis=1).astype("int64"),
        "periods_flagged": [[labels[j] for j in np.flatnonzero(f)] for f in flag_pp],
        "place": place_name, "place_id": place_id, "in_place_of": lead_name,
        "place_sites": pf["place_sites"].astype("int64"),
        "own_flagged": flagged, "own_rising": rising,
        "reason_site": col("name")[reason_from],
        "reason_kind": best["kind"].to_numpy(dtype=object)[reason_from],
        "reason_band": best["band"].to_numpy(dtype=object)[reason_from],
        "reason_count": best["count"].to_numpy(dtype="float64")[reason_from],
        "reason_expected": best["expected"].to_numpy(dtype="float64")[reason_from],
        "reason_q": reason_q[reason_from],
        "reason_rising": (best["_o"].to_numpy() == 1)[reason_from],
    }, columns=list(SUMMARY_COLUMNS))
    # List order: places by their status (rising, persistent, flagged, fading), each lead
    # followed by its members; then the other sites.
    rank = np.where(frame["rising"], 0, np.where(frame["persistent"] & frame["flagged"], 1,
                    np.where(frame["flagged"], 2, np.where(frame["fading"], 3, 4))))
    has = np.fromiter((p is not None for p in place_id), dtype=bool, count=ns_)
    head = np.where(has, place_id, np.arange(ns_)).astype(np.int64)
    qq = frame["reason_q"].fillna(1.0).to_numpy()
    frame = frame.assign(_r=np.where(has, rank[head], 4), _q=np.where(has, qq[head], qq),
                         _h=head, _m=~pf["lead"], _o=qq)
    return frame.sort_values(["_r", "_q", "_h", "_m", "_o", "name"], kind="stable") \
        .drop(columns=["_r", "_q", "_h", "_m", "_o"]).reset_index(drop=True)


def places_table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per place (its lead carries the flags), in list order (rising places first):
    ``place_id, place, sites`` (member names, the lead first), ``n_sites, count`` (of the
    lead), ``flagged, rising, persistent, fading, q_value`` (the lead's reason q)."""
    cols = ["place_id", "place", "sites", "n_sites", "count", "flagged", "rising",
            "persistent", "fading", "q_value"]
    lead = summary[summary["flagged"] | summary["rising"] | summary["fading"]]
    if lead.empty:
        return pd.DataFrame(columns=cols)
    members = summary[summary["place_id"].notna()].groupby("place_id", sort=False)["name"] \
        .agg(list)
    return pd.DataFrame({
        "place_id": lead["place_id"].to_numpy(), "place": lead["name"].to_numpy(),
        "sites": [members.get(p, [n]) for p, n in zip(lead["place_id"], lead["name"],
                                                      strict=True)],
        "n_sites": lead["place_sites"].to_numpy(), "count": lead["count"].to_numpy(),
        "flagged": lead["flagged"].to_numpy(), "rising": lead["rising"].to_numpy(),
        "persistent": lead["persistent"].to_numpy(), "fading": lead["fading"].to_numpy(),
        "q_value": lead["reason_q"].to_numpy(),
    }, columns=cols).reset_index(drop=True)
