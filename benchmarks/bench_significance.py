"""Benchmark: the significance of every change in ``mapapp stats`` (issue 15) at 1,000,000 points,
beside the naive ways, in the same run, with the ratio.

    python benchmarks/bench_significance.py                  # 1M points, best of 3
    python benchmarks/bench_significance.py --points 200000 --repeat 1

Synthetic incidents (numpy seed, reproducible): 20 zones × the app's incident categories, each
zone × category with its own rate that moves from year to year (so some changes are significant
and most are not), times uniform inside 2019-09-01 … 2023-08-31 (four statistical years).

Timed (best of ``--repeat``):

- **period_counts**: :func:`mapapp.analysis.stats.period_counts` for the whole table — counts per
  zone × category × statistical year, the change against the year before and its two-sample
  Poisson test (``p_value``, ``significant``, ``trend``), what ``mapapp stats`` computes after
  reading the points; and the test alone (:func:`mapapp.analysis.significance.p_values` on the
  table's (before, after) pairs).
- **incomplete**: the same with the data ending 2023-03-15, so the latest period is compared only
  over the same days of the year before (the window counts are recomputed from the points).
- **naive, per cell**: ``scipy.stats.binomtest(after, before + after, 0.5)`` for every compared
  cell, the obvious way to test a table of changes.
- **naive, per row**: a Python loop over the points (local time with zoneinfo, a dict of
  counts per zone × category × year) followed by the per-cell ``binomtest``.

The naive results are checked against period_counts (the same counts, p-values within 1e-9)
and the check is printed. Benchmarks never fail on time: this prints figures and asserts only
that the fast and the naive ways agree.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import best  # noqa: E402

from mapapp.analysis.significance import p_values  # noqa: E402
from mapapp.analysis.stats import period_counts  # noqa: E402
from mapapp.categories import INCIDENT_CATEGORIES  # noqa: E402

STHLM = ZoneInfo("Europe/Stockholm")
YEARS = (2019, 2020, 2021, 2022)  # statistical years 2019-2020 … 2022-2023 (from September)


def synthetic(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(points, zones): ``n`` incidents with zone, category, kind and occurred_at (UTC)."""
    rng = np.random.default_rng(seed)
    zones = pd.DataFrame({"name": [f"Zon {i:02d}" for i in range(20)],
                          "population": rng.integers(2_000, 20_000, 20)})
    cats = [c.code for c in INCIDENT_CATEGORIES]
    base = rng.lognormal(0.0, 1.0, (len(zones), len(cats)))
    moves = rng.lognormal(0.0, 0.25, (len(zones), len(cats), len(YEARS)))
    weights = (base[..., None] * moves).reshape(-1)
    cell = rng.choice(weights.size, size=n, p=weights / weights.sum())
    zi, ci, yi = np.unravel_index(cell, (len(zones), len(cats), len(YEARS)))
    starts = np.array([pd.Timestamp(f"{y}-09-01", tz=STHLM).value for y in (*YEARS, 2023)])
    t = starts[yi] + (rng.random(n) * (starts[yi + 1] - starts[yi])).astype(np.int64)
    points = pd.DataFrame({
        "zone": np.array(zones["name"], dtype=object)[zi],
        "category": np.array(cats, dtype=object)[ci],
        "kind": "incident",
        "occurred_at": pd.to_datetime(t, utc=True),
    })
    return points, zones


def naive_counts(points: pd.DataFrame) -> Counter[tuple[str, str, int]]:
    """A Python loop over the rows: the statistical year from the local time (zoneinfo)."""
    out: Counter[tuple[str, str, int]] = Counter()
    ns = points["occurred_at"].astype("int64").to_numpy()
    for z, c, v in zip(points["zone"].tolist(), points["category"].tolist(), ns.tolist(),
                       strict=True):
        local = datetime.fromtimestamp(v / 1e9, tz=UTC).astimezone(STHLM)
        out[(z, c, local.year if local.month >= 9 else local.year - 1)] += 1
    return out


def naive_tests(cells: list[tuple[int, int]]) -> list[float]:
    """``scipy.stats.binomtest`` of each (before, after) pair: after given the total is
    Binomial(total, ½) under equal rates."""
    from scipy.stats import binomtest

    return [binomtest(a, b + a, 0.5).pvalue if b + a else 1.0 for b, a in cells]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args(argv)
    print(f"python {platform.python_version()}, {platform.machine()}, "
          f"numpy {np.__version__}, pandas {pd.__version__}")
    t0 = time.perf_counter()
    points, zones = synthetic(args.points, args.seed)
    print(f"{len(points):,} synthetic incidents in {time.perf_counter() - t0:.1f} s")

    fast_s, table = best(lambda: period_counts(points, zones=zones, kind="incident"),
                         args.repeat)
    cmp = table[table["p_value"].notna()]
    pairs = list(zip(cmp["prev_count"].astype(int), cmp["cmp_count"].astype(int), strict=True))
    before = np.array([b for b, _ in pairs], dtype="float64")
    after = np.array([a for _, a in pairs], dtype="float64")
    test_s, pv = best(lambda: p_values(before, after), args.repeat)
    n_sig = int(cmp["significant"].astype(bool).sum())
    print(f"table: {len(table):,} zone × category × year rows, {len(cmp):,} changes tested, "
          f"{n_sig:,} significant at 95 %")
    inc_s, inc = best(lambda: period_counts(points, zones=zones, kind="incident",
                                            data_end="2023-03-15"), args.repeat)
    last = inc[inc["period"] == inc["period"].iloc[-1]]
    print(f"incomplete latest period: compared over {last['cmp_from'].iloc[0]} … "
          f"{last['cmp_to'].iloc[0]}, complete={bool(last['complete'].iloc[0])}")

    t0 = time.perf_counter()
    naive_p = naive_tests(pairs)
    naive_cell_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts = naive_counts(points)
    naive_count_s = time.perf_counter() - t0

    # agreement: the same counts, the same p-values
    year = {f"{y}-{y + 1}": y for y in (*YEARS, 2023)}
    got = {(r.zone, r.category, year[r.period]): int(r.count)
           for r in table.itertuples() if r.count}
    same_counts = got == dict(counts)
    max_dp = float(np.max(np.abs(np.asarray(naive_p) - cmp["p_value"].to_numpy())))
    same_p = max_dp < 1e-9 and np.allclose(pv, cmp["p_value"].to_numpy(), rtol=0, atol=1e-12)
    print(f"check: counts equal to the per-row loop: {same_counts}; p-values equal to "
          f"scipy.stats.binomtest: {same_p} (largest difference {max_dp:.1e})")

    rows = [
        ("period_counts (counts + change + test), 4 statistical years", fast_s,
         "per-row Python loop + binomtest per cell", naive_count_s + naive_cell_s),
        ("  of which the tests (p_values over the table's pairs)", test_s,
         "scipy.stats.binomtest per cell", naive_cell_s),
        ("period_counts, latest period incomplete (window recount)", inc_s, "", float("nan")),
    ]
    print(f"\n{'what':<62} {'fast s':>8}   {'naive':<42} {'naive s':>8} {'ratio':>7}")
    for what, fast, naive, slow in rows:
        ratio = f"{slow / fast:6.0f}×" if slow == slow else "      –"
        slow_s = f"{slow:8.3f}" if slow == slow else "       –"
        print(f"{what:<62} {fast:8.3f}   {naive:<42} {slow_s} {ratio}")
    print(f"\n(per-row loop alone: {naive_count_s:.2f} s; binomtest per cell: "
          f"{naive_cell_s:.3f} s for {len(pairs):,} cells)")
    if not (same_counts and same_p):
        print("MISMATCH between the fast and the naive ways", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
