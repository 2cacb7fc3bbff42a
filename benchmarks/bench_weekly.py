"""Benchmark: the weekly lägesbild (``mapapp week`` / the Veckoläge page) at 1,000,000
incidents, against the in-memory way (load every incident, then count), on SQLite and/or
PostgreSQL+PostGIS.

    python benchmarks/bench_weekly.py --points 1000000 --backend sqlite postgres

The target (issue 19): the weekly page ≤ 1 s warm at 1M incidents. What is timed is what the
page computes for a week: :func:`mapapp.council.weekly.weekly_report` (counts per zone ×
category against the 8 weeks before, grouped by local day in the database; new observations,
measures, walks, tasks, reports, survey) and its heavy part alone,
:func:`mapapp.council.weekly.week_counts`. "Warm" is the best of ``--repeat`` runs after the
first (the database's pages cached; no application cache). The in-memory way loads all points
with :func:`mapapp.store.points.load_points` and counts the same weeks in pandas; both give the
same table (checked). Synthetic incidents (numpy seed) inside the district's zones over
2019-09-01 … 2023-08-31. Fresh databases, removed after. Figures only; never fails on time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import best  # noqa: E402

from mapapp.access import CLI_PRINCIPAL  # noqa: E402
from mapapp.analysis.weekly import parse_week, weekly_counts  # noqa: E402
from mapapp.council.weekly import week_counts, week_places, weekly_report  # noqa: E402
from mapapp.settings import load_settings  # noqa: E402
from mapapp.store import init_store  # noqa: E402
from mapapp.store.district import zones_frame  # noqa: E402
from mapapp.store.engine import make_engine  # noqa: E402
from mapapp.store.points import insert_points, load_points  # noqa: E402

CATS = np.array(["narkotikabrott", "vald_offentlig_miljo", "vald_nara_relation", "personran",
                 "bedrageri_aldre", "skadegorelse", "inbrott", "stold", "ordningsstorning"])
WEEK = "2023-W20"


def points(engine, n: int, seed: int) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    zones = zones_frame(engine)
    rng = np.random.default_rng(seed)
    pts = zones.geometry.sample_points(n // len(zones) + 1, rng=rng).explode(index_parts=False)
    pts = pts.iloc[:n]
    start = pd.Timestamp("2019-09-01", tz="UTC").value
    span = pd.Timestamp("2023-08-31", tz="UTC").value - start
    ns = start + (rng.random(n) * span).astype(np.int64)
    return pd.DataFrame({"source": "bench", "external_id": np.char.add("b", np.arange(n).astype(
        str)), "category": CATS[rng.integers(0, len(CATS), n)],
        "occurred_at": pd.to_datetime(ns, utc=True), "lon": pts.x.to_numpy().round(6),
        "lat": pts.y.to_numpy().round(6)})


def in_memory(engine, settings) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    pts = load_points(engine, CLI_PRINCIPAL, "incident")
    day = pts["occurred_at"].dt.tz_convert("Europe/Stockholm").dt.date
    days = (pd.DataFrame({"zone": pts["zone"], "category": pts["category"].astype(str),
                          "day": day}).dropna(subset=["zone"])
            .groupby(["zone", "category", "day"]).size().rename("n").reset_index())
    return weekly_counts(days, WEEK, history_weeks=settings.weekly_history_weeks,
                         alpha=settings.weekly_alpha)


def run(backend: str, n: int, repeat: int, pg_url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    tmp = tempfile.TemporaryDirectory()
    admin = name = None
    if backend == "sqlite":
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    else:
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        name = f"mapapp_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        init_store(engine, CLI_PRINCIPAL)
        settings = load_settings({}, database_url=url)
        t0 = time.perf_counter()
        df = points(engine, n, 19)
        for i in range(0, n, 500_000):
            with engine.begin() as conn:
                insert_points(conn, df.iloc[i:i + 500_000], "incident")
        if backend == "postgres":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE incidents"))
        print(f"\n## {backend}: {n:,} incidents stored in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        week_counts(engine, CLI_PRINCIPAL, WEEK, settings=settings)
        cold = time.perf_counter() - t0
        t_counts, db = best(lambda: week_counts(engine, CLI_PRINCIPAL, WEEK, settings=settings),
                            repeat)
        t_report, rep = best(lambda: weekly_report(engine, CLI_PRINCIPAL, WEEK,
                                                   settings=settings, places=False), repeat)
        t_places, places = best(lambda: week_places(engine, CLI_PRINCIPAL, parse_week(WEEK),
                                                    settings=settings), repeat)
        t_mem, mem = best(lambda: in_memory(engine, settings), max(1, repeat // 2))
        same = db.reset_index(drop=True).equals(mem.reset_index(drop=True))
        print(f"week_counts {WEEK}: first {cold * 1000:.0f} ms, warm {t_counts * 1000:.0f} ms "
              f"({len(db)} zone × category rows, {int(db['count'].sum())} incidents in the "
              f"week)")
        print(f"weekly_report without the places (what the page shows first), warm: "
              f"{t_report * 1000:.0f} ms (target ≤ 1000 ms)")
        print(f"week_places (flagged/rising sites of the week, the page's second section), "
              f"warm: {t_places * 1000:.0f} ms ({len(places)} sites)")
        print(f"in-memory way (load all, count in pandas): {t_mem * 1000:.0f} ms → ratio "
              f"{t_mem / t_counts:.0f}× slower than the database's GROUP BY; same table: {same}")
        assert len(rep.counts) == len(db)
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--backend", nargs="+", choices=("sqlite", "postgres"),
                    default=["sqlite", "postgres"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args(argv)
    for b in args.backend:
        run(b, args.points, args.repeat, args.pg_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
