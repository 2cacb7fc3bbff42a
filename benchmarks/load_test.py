"""Load test (not a test of the suite): many users on one store.

8 writer processes (walk teams saving observations) and 4 reading sessions (people browsing the
map) work at once for ``--seconds`` against a *fresh* database -- PostgreSQL+PostGIS or SQLite.
Writers go through :func:`mapapp.store.points.insert_points` (one transaction per submission of
``--batch`` observations), readers through :func:`mapapp.store.points.load_points`.

Every writer re-sends some submissions it already got acknowledged (a tablet retrying after a
lost answer), and retries a submission that failed. At the end the store is checked: every
acknowledged observation is stored exactly once, and re-sent submissions added nothing.
Figures are printed; the exit code is 1 when a check fails (never because of speed).

    .venv/bin/python benchmarks/load_test.py --backend sqlite --seconds 20
    .venv/bin/python benchmarks/load_test.py --backend postgres --seconds 20 \\
        --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Only a server on this machine (127.0.0.1/localhost) is accepted: the test creates and drops a
database ``mapapp_load_<random>`` there.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = os.environ.get("MAPAPP_TEST_POSTGRES_URL",
                            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_SECONDS = 600
SOURCE = "loadtest"
# Real places in the district (WGS84): Liljeholmen, Älvsjö station, Telefonplan, Fruängen.
PLACES = [(18.0227, 59.3105), (18.0115, 59.2789), (17.9965, 59.2982), (17.9650, 59.2856)]


@dataclass
class WorkerResult:
    role: str
    index: int
    ops: int = 0
    rows_acknowledged: int = 0
    resends: int = 0
    resend_rows_written: int = 0
    retries: int = 0
    failures: int = 0
    latencies: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    rows_read: int = 0
    error: str | None = None


def _batch(writer: int, seq: int, size: int, rng: Any) -> Any:
    import pandas as pd

    lon0, lat0 = PLACES[(writer + seq) % len(PLACES)]
    ids = [f"w{writer}-{seq:07d}-{k}" for k in range(size)]
    return pd.DataFrame({
        "source": SOURCE, "external_id": ids,
        "category": rng.choice(["belysning", "klotter", "nedskrapning", "vegetation"], size),
        "occurred_at": pd.Timestamp.now(tz="Europe/Stockholm").floor("s"),
        "description": [f"Lasttest {i}" for i in ids],
        "lon": lon0 + rng.normal(0, 0.002, size), "lat": lat0 + rng.normal(0, 0.001, size),
        "status": "ny", "team": f"lag-{writer}", "walk_id": None,
        "ratings": [{"belysning": int(r)} for r in rng.integers(0, 4, size)],
    })


def writer(index: int, url: str, barrier: Any, seconds: float, batch: int,
           resend_every: int, out: Any) -> None:
    import numpy as np

    from mapapp.errors import StoreError
    from mapapp.store.engine import make_engine
    from mapapp.store.points import insert_points

    res = WorkerResult("writer", index)
    rng = np.random.default_rng(index)
    engine = make_engine(url)
    try:
        barrier.wait()  # everyone has imported and connected: start together
        deadline = time.time() + seconds
        seq = 0  # new submissions made
        n = 0  # submissions sent, new or re-sent
        sent: list[Any] = []
        while time.time() < deadline:
            n += 1
            resend = bool(resend_every and sent and n % resend_every == 0)
            frame = sent[int(rng.integers(len(sent)))] if resend else _batch(index, seq, batch,
                                                                           rng)
            for attempt in range(20):
                t0 = time.perf_counter()
                try:
                    with engine.begin() as conn:
                        written = insert_points(conn, frame, "observation").written
                except StoreError:
                    res.retries += 1
                    time.sleep(0.05 * (attempt + 1))
                    continue
                res.latencies.append(time.perf_counter() - t0)
                res.ops += 1
                if resend:
                    res.resends += 1
                    res.resend_rows_written += written
                else:
                    res.rows_acknowledged += len(frame)
                    res.acknowledged.extend(frame["external_id"].tolist())
                    sent.append(frame)
                    if len(sent) > 50:
                        sent.pop(0)
                break
            else:
                res.failures += 1
            if not resend:
                seq += 1
    except Exception as exc:  # reported by the parent
        res.error = f"{type(exc).__name__}: {exc}"
    finally:
        engine.dispose()
        out.put(res)


def reader(index: int, url: str, barrier: Any, seconds: float, out: Any) -> None:
    from mapapp.access import Principal, Role
    from mapapp.store.engine import make_engine
    from mapapp.store.points import PointFilter, load_points

    res = WorkerResult("reader", index)
    who = Principal(f"reader{index}", [Role.LASARE, Role.POLIS, Role.SAMORDNARE,
                                       Role.VANDRARE][index % 4], team="lag-1")
    engine = make_engine(url)
    try:
        barrier.wait()  # everyone has imported and connected: start together
        deadline = time.time() + seconds
        n = 0
        while time.time() < deadline:
            t0 = time.perf_counter()
            flt = PointFilter(categories=["belysning", "klotter"]) if n % 2 else None
            df = load_points(engine, who, "observation", flt)
            res.latencies.append(time.perf_counter() - t0)
            res.rows_read += len(df)
            res.ops += 1
            n += 1
    except Exception as exc:
        res.error = f"{type(exc).__name__}: {exc}"
    finally:
        engine.dispose()
        out.put(res)


# --- the fresh database ------------------------------------------------------------------------

def _check_local(url: str) -> None:
    from sqlalchemy.engine import make_url

    host = make_url(url).host or "localhost"
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"load_test: only a server on this machine (127.0.0.1), not {host!r}")


def fresh_database(backend: str, pg_url: str, workdir: Path) -> tuple[str, Any]:
    """(url of a new, initialised store, a function that removes it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from mapapp.access import CLI_PRINCIPAL
    from mapapp.store import init_store
    from mapapp.store.engine import make_engine

    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'load.db'}"

        def drop() -> None:
            for p in workdir.glob("load.db*"):
                p.unlink()
    else:
        _check_local(pg_url)
        name = f"mapapp_load_{uuid.uuid4().hex[:10]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    engine = make_engine(url)
    init_store(engine, CLI_PRINCIPAL)
    engine.dispose()
    return url, drop


def verify(url: str, results: list[WorkerResult]) -> tuple[bool, list[str]]:
    """Every acknowledged observation stored exactly once; nothing else with our source."""
    from sqlalchemy import func, select

    from mapapp.store.engine import make_engine
    from mapapp.store.models import Observation

    acknowledged = [i for r in results for i in r.acknowledged]
    o = Observation.__table__
    engine = make_engine(url)
    with engine.connect() as conn:
        stored: dict[str, int] = dict(conn.execute(select(o.c.external_id, func.count()).where(
            o.c.source == SOURCE).group_by(o.c.external_id)).all())
    engine.dispose()
    lines, ok = [], True
    missing = [i for i in acknowledged if i not in stored]
    twice = {i: n for i, n in stored.items() if n != 1}
    extra = set(stored) - set(acknowledged)
    dup_ack = len(acknowledged) - len(set(acknowledged))
    resent_written = sum(r.resend_rows_written for r in results)
    for label, bad in (("acknowledged but missing", len(missing)),
                       ("stored more than once", len(twice)),
                       ("stored but never acknowledged", len(extra)),
                       ("acknowledged twice", dup_ack),
                       ("rows written by re-sent submissions", resent_written)):
        lines.append(f"  {label:<38} {bad}")
        ok = ok and bad == 0
    lines.append(f"  {'acknowledged observations':<38} {len(acknowledged)}")
    lines.append(f"  {'stored observations':<38} {sum(stored.values())}")
    return ok, lines


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def run(args: argparse.Namespace) -> int:
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="mapapp-load-") as tmp:
        t_init = time.perf_counter()
        url, drop = fresh_database(args.backend, args.pg_url, Path(tmp))
        print(f"backend {args.backend}: fresh store ready in {time.perf_counter() - t_init:.1f} s")
        try:
            out = ctx.Queue()
            barrier = ctx.Barrier(args.writers + args.readers + 1, timeout=300)
            procs = [ctx.Process(target=writer, args=(i, url, barrier, args.seconds, args.batch,
                                                      args.resend_every, out))
                     for i in range(args.writers)]
            procs += [ctx.Process(target=reader, args=(i, url, barrier, args.seconds, out))
                      for i in range(args.readers)]
            for p in procs:
                p.start()
            barrier.wait()
            results = [out.get(timeout=args.seconds + 300) for _ in procs]
            for p in procs:
                p.join(timeout=60)
            ok, lines = verify(url, results)
        finally:
            if not args.keep:
                drop()
    writers = [r for r in results if r.role == "writer"]
    readers = [r for r in results if r.role == "reader"]
    errors = [f"{r.role} {r.index}: {r.error}" for r in results if r.error]
    w_lat = [x for r in writers for x in r.latencies]
    r_lat = [x for r in readers for x in r.latencies]
    secs = args.seconds
    rows = sum(r.rows_acknowledged for r in writers)
    print(f"{args.writers} writers, {args.readers} readers, {secs:g} s, batch {args.batch}")
    print(f"writes: {sum(r.ops for r in writers)} transactions "
          f"({sum(r.ops for r in writers) / secs:.1f}/s), {rows} observations acknowledged "
          f"({rows / secs:.1f}/s), {sum(r.resends for r in writers)} re-sent submissions, "
          f"{sum(r.retries for r in writers)} retries, {sum(r.failures for r in writers)} "
          f"given up")
    if w_lat:
        print(f"  write latency: median {statistics.median(w_lat) * 1000:.0f} ms, "
              f"p95 {_pct(w_lat, 0.95) * 1000:.0f} ms, max {max(w_lat) * 1000:.0f} ms")
    print(f"reads: {sum(r.ops for r in readers)} loads ({sum(r.ops for r in readers) / secs:.1f}/s)"
          f", {sum(r.rows_read for r in readers)} rows")
    if r_lat:
        print(f"  read latency: median {statistics.median(r_lat) * 1000:.0f} ms, "
              f"p95 {_pct(r_lat, 0.95) * 1000:.0f} ms, max {max(r_lat) * 1000:.0f} ms")
    print("check:")
    print("\n".join(lines))
    for e in errors:
        print(f"  error: {e}")
    if not writers or not all(r.ops for r in writers) or not all(r.ops for r in readers):
        errors.append("a writer or reader did no work at all")
    good = ok and not errors
    print("RESULT: " + ("every acknowledged write stored exactly once" if good else "FAILED"))
    return 0 if good else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Load test: writer processes and reading sessions against a fresh store "
                    "(PostgreSQL+PostGIS on 127.0.0.1, or SQLite). Prints throughput; exit 1 "
                    "when an acknowledged write is missing or stored twice.")
    p.add_argument("--backend", choices=("postgres", "sqlite"), required=True)
    p.add_argument("--seconds", type=float, default=20.0,
                   help=f"how long the load runs (1–{MAX_SECONDS}; default 20)")
    p.add_argument("--writers", type=int, default=8, help="writer processes (default 8)")
    p.add_argument("--readers", type=int, default=4, help="reading sessions (default 4)")
    p.add_argument("--batch", type=int, default=5,
                   help="observations per submission (default 5)")
    p.add_argument("--resend-every", type=int, default=10,
                   help="every N-th submission re-sends an acknowledged one (0: never)")
    p.add_argument("--pg-url", default=DEFAULT_PG,
                   help="PostgreSQL server to create the fresh database on (127.0.0.1 only; "
                        "default MAPAPP_TEST_POSTGRES_URL or postgres@127.0.0.1:5432)")
    p.add_argument("--keep", action="store_true",
                   help="keep the PostgreSQL database afterwards (SQLite: a temporary file)")
    args = p.parse_args(argv)
    if not 1 <= args.seconds <= MAX_SECONDS:
        p.error(f"--seconds must be 1–{MAX_SECONDS}")
    if not (1 <= args.writers <= 64 and 0 <= args.readers <= 64 and 1 <= args.batch <= 10000):
        p.error("--writers 1–64, --readers 0–64, --batch 1–10000")
    if args.backend == "postgres":
        _check_local(args.pg_url)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
