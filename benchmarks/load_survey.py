"""Load test (not a test of the suite): a survey with 200 recipients answered in parallel.

``--workers`` processes (default 20, as 20 browsers: each its own connections) share the
recipients of one survey on a *fresh* database (PostgreSQL+PostGIS or SQLite). Every recipient
answers through :func:`mapapp.council.survey.save_answer` (what the form's "Skicka" calls), then
edits the answer; a quarter of the recipients also send their first answer twice at the same
moment from two workers (a double tap on a slow line). At the end the store is checked: one
response per recipient, its answers exactly the last ones sent, and the number of edits as
sent. Figures are printed; the exit code is 1 when a check fails (never because of speed).

    .venv/bin/python benchmarks/load_survey.py --backend sqlite
    .venv/bin/python benchmarks/load_survey.py --backend postgres

Only a server on this machine is used: the test creates and drops ``mapapp_survey_<random>``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = os.environ.get("MAPAPP_TEST_POSTGRES_URL",
                            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
KEY = "load-survey-key"


def _answers(zones: list[int], problems: tuple[str, ...], seed: int) -> dict[tuple[int, str], int]:
    import random

    rng = random.Random(seed)
    return {(z, p): rng.choice((0, 1, 2)) for z in zones for p in problems
            if rng.random() < 0.5}


def _worker(url: str, phases: list[list[tuple[str, int, int]]], zones: list[int],
            start_at: float, barrier: Any, out: Any) -> None:
    from mapapp.council.survey import PROBLEMS, save_answer
    from mapapp.settings import load_settings
    from mapapp.store.engine import make_engine

    eng = make_engine(url)
    settings = load_settings({}, secret_key=KEY)
    lat: list[float] = []
    errors: list[str] = []
    barrier.wait(timeout=600)  # every worker has imported and connected: start together
    began = time.time()
    for i, jobs in enumerate(phases):
        if i:
            barrier.wait(timeout=600)  # every first answer is in before the edits start
        for token, seed, _rid in jobs:
            t0 = time.perf_counter()
            try:
                save_answer(eng, token, _answers(zones, PROBLEMS, seed), f"svar {seed}",
                            settings=settings)
            except Exception as exc:  # noqa: BLE001 -- reported, and the check fails
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
            lat.append(time.perf_counter() - t0)
    ended = time.time()
    eng.dispose()
    out.put((lat, errors, began, ended))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--recipients", type=int, default=200)
    ap.add_argument("--workers", type=int, default=20)
    ap.add_argument("--pg-url", default=DEFAULT_PG)
    args = ap.parse_args(argv)

    from sqlalchemy import text

    from benchmarks.freshdb import NotLocal, fresh_store
    from mapapp.access import CLI_PRINCIPAL
    from mapapp.council import survey as sv
    from mapapp.settings import load_settings
    from mapapp.store import init_store
    from mapapp.store.engine import make_engine

    try:
        with fresh_store(args.backend, args.pg_url, "mapapp_survey") as (url, _tmp):
            eng = make_engine(url)
            init_store(eng, CLI_PRINCIPAL)
            settings = load_settings({}, secret_key=KEY)
            sid = sv.create_survey(eng, CLI_PRINCIPAL, title="Belastning", month="2023-05",
                                   closes=date.today() + timedelta(days=2))
            sv.add_recipients(eng, CLI_PRINCIPAL, sid, [
                {"organisation": f"Aktör {i}", "role": "Kontakt", "email": f"a{i}@x.example"}
                for i in range(args.recipients)], settings=settings)
            links = sv.links(eng, CLI_PRINCIPAL, sid, settings=settings)
            tokens = [x["link"].split("?enkat=")[1] for x in links]
            zones = [z for z, _ in sv.zones(eng)]
            # per recipient: first answer (seed 2i), then the edit (seed 2i+1); every 4th recipient
            # also sends its first answer from a second worker at the same time
            plan: list[list[tuple[str, int, int]]] = [[] for _ in range(args.workers)]
            edits: list[list[tuple[str, int, int]]] = [[] for _ in range(args.workers)]
            last_seed: dict[int, int] = {}
            dup = set(range(0, args.recipients, 4))
            for i, tok in enumerate(tokens):
                w = i % args.workers
                plan[w].append((tok, 2 * i, i))
                if i in dup:
                    plan[(w + 1) % args.workers].append((tok, 2 * i, i))
            for i, tok in enumerate(tokens):
                edits[i % args.workers].append((tok, 2 * i + 1, i))  # the edit, after all firsts
                last_seed[i] = 2 * i + 1
            sends = sum(len(p) for p in plan) + sum(len(p) for p in edits)
            ctx = mp.get_context("spawn")
            q = ctx.Queue()
            start_at = 0.0
            barrier = ctx.Barrier(args.workers)
            procs = [ctx.Process(target=_worker, args=(url, [p, e], zones, start_at, barrier, q))
                     for p, e in zip(plan, edits, strict=True)]
            for p in procs:
                p.start()
            results = [q.get(timeout=600) for _ in procs]
            for p in procs:
                p.join()
            wall = max(r[3] for r in results) - min(r[2] for r in results)
            spread = max(r[2] for r in results) - min(r[2] for r in results)
            lat = [x for r in results for x in r[0]]
            errors = [e for r in results for e in r[1]]
            # the checks
            from mapapp.council.survey import PROBLEMS

            with eng.connect() as c:
                n_resp = c.execute(text("SELECT count(*) FROM survey_responses")).scalar_one()
                per = c.execute(text("SELECT recipient_id, count(*) FROM survey_responses "
                                     "GROUP BY recipient_id HAVING count(*) > 1")).all()
                rid_of = dict(c.execute(text("SELECT token_hash, id FROM survey_recipients")).all())
                edits_total = c.execute(text("SELECT sum(edits) FROM survey_responses")).scalar_one()
            wrong = 0
            for i, tok in enumerate(tokens):
                rec = sv.resolve_token(eng, tok)
                assert rec is not None and rec.recipient_id == rid_of[sv.token_hash(tok)]
                got, free = sv.load_answer(eng, rec)
                if got != _answers(zones, PROBLEMS, last_seed[i]) or free != f"svar {last_seed[i]}":
                    wrong += 1
            expected_edits = sends - args.recipients
            ok = (not errors and n_resp == args.recipients and not per and wrong == 0
                  and edits_total == expected_edits)
            lat.sort()
            print(f"# survey load test — {args.backend}, {args.recipients} recipients, "
                  f"{args.workers} worker processes, {sends} submissions "
                  f"({len(dup)} sent twice at once, then every recipient edits)")
            print(f"(workers started within {spread * 1000:.0f} ms of each other)")
            print(f"wall {wall:.2f} s · {sends / wall:.1f} submissions/s · latency median "
                  f"{statistics.median(lat) * 1000:.0f} ms, p95 {lat[int(0.95 * len(lat)) - 1] * 1000:.0f}"
                  f" ms, max {lat[-1] * 1000:.0f} ms")
            print(f"responses stored {n_resp} (want {args.recipients}); recipients with >1 "
                  f"response {len(per)}; answers differing from the last sent {wrong}; edits "
                  f"{edits_total} (want {expected_edits}); errors {len(errors)}")
            for e in errors[:5]:
                print("  error:", e)
            print("CHECK", "PASSED" if ok else "FAILED")
            eng.dispose()
            return 0 if ok else 1
    except NotLocal as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
