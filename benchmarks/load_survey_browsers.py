"""Load test (not a test of the suite): a survey answered through its real links by parallel
browsers.

A *fresh* store (SQLite file, or a new database on the local PostgreSQL+PostGIS) gets a survey
with ``--recipients`` recipients (default 200); ``streamlit run streamlit_app.py`` is started on
it (the e2e harness's :func:`tests.e2e.conftest.start_app`), and one chromium (Playwright)
with ``--browsers`` contexts (default 20: 20 separate browsers as far as the server can tell)
works through the personal links in parallel. Each recipient's page: open the link, open the
first zone, answer two or three problems (Inget/Lite/Mycket, different per recipient), press
"Skicka" and wait for the thanks. Every ``--double-every``-th recipient presses "Skicka" twice
in a row (a double tap on a slow line); every ``--revisit-every``-th comes back through the same
link afterwards, sees its answer and changes one problem (an edit). A page that does not answer
within 90 s (an overloaded machine) is loaded again, as a person would, up to twice; the
number of such retries is printed.

At the end the store is checked: exactly one response per recipient (``--recipients``
responses in all), and each holds exactly the answers sent last. Throughput figures are
printed (wall time, recipients and submissions per second, time from "Skicka" to the thanks
and from opening the link to the form: median, p95, max) with the machine's load average.
The exit code is 1 when a check fails, never because of speed.

    .venv/bin/python benchmarks/load_survey_browsers.py                  # 200 × 20, SQLite
    .venv/bin/python benchmarks/load_survey_browsers.py --backend postgres
    .venv/bin/python benchmarks/load_survey_browsers.py --recipients 18 --browsers 3

Needs chromium at /usr/bin/chromium and the Python Playwright package (``make install``).
Only a server on this machine is used (PostgreSQL: ``mapapp_browsers_<random>``, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = os.environ.get("MAPAPP_TEST_POSTGRES_URL",
                            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
KEY = "load-survey-browsers-key"
LEVEL_TEXT = {0: "Inget", 1: "Lite", 2: "Mycket"}
PROBLEM_TEXT = {"samlingar": "Samlingar av personer", "narkotikahandel": "Narkotikahandel",
                "skadegorelse": "Skadegörelse", "ordningsstorning": "Ordningsstörningar",
                "olovliga_bosattningar": "Otillåtna bosättningar", "otrygghet": "Otrygghet"}
SAVED, EDITED = "Tack! Ditt svar är sparat.", "Tack! Ditt svar är uppdaterat."
RETRIES = 2
TIMEOUT_MS = 90_000


@dataclass
class Job:
    """One recipient's visit(s): the link, the answers to give first and, when it comes back,
    the one change it makes."""

    index: int
    link: str
    first: dict[str, int]
    double: bool = False
    revisit: tuple[str, int] | None = None

    @property
    def last(self) -> dict[str, int]:
        out = dict(self.first)
        if self.revisit is not None:
            out[self.revisit[0]] = self.revisit[1]
        return out


@dataclass
class Figures:
    submit_s: list[float] = field(default_factory=list)  # "Skicka" → thanks
    open_s: list[float] = field(default_factory=list)  # goto(link) → the form
    submissions: int = 0
    retries: int = 0  # visits tried again after a page that did not answer in time
    errors: list[str] = field(default_factory=list)


def plan(links: list[str], *, double_every: int, revisit_every: int) -> list[Job]:
    """Deterministic answers per recipient (2–3 problems of the first zone, varied levels)."""
    problems = list(PROBLEM_TEXT)
    jobs = []
    for i, link in enumerate(links):
        chosen = [problems[(i + k) % len(problems)] for k in range(2 + i % 2)]
        first = {p: (i + k) % 3 for k, p in enumerate(chosen)}
        revisit = None
        if revisit_every and i % revisit_every == revisit_every - 1:
            p = chosen[0]
            revisit = (p, (first[p] + 1) % 3)
        jobs.append(Job(i, link, first, double=bool(double_every) and i % double_every == 0,
                        revisit=revisit))
    return jobs


async def _radio(page: Any, zone: str, problem: str) -> Any:
    exp = page.locator('[data-testid="stExpander"]').filter(has_text=zone)
    return exp.locator('[data-testid="stRadio"]').filter(has_text=PROBLEM_TEXT[problem]).first


async def _choose(page: Any, zone: str, problem: str, level: int) -> None:
    radio = await _radio(page, zone, problem)
    await radio.get_by_text(LEVEL_TEXT[level], exact=True).click()
    await radio.locator('label[data-selected="true"]').filter(
        has_text=LEVEL_TEXT[level]).wait_for()


async def _visit(page: Any, job: Job, zone: str, answers: dict[str, int], fig: Figures, *,
                 double: bool) -> None:
    """Open the link, give ``answers`` in ``zone``, press Skicka (twice for ``double``) and
    wait for the thanks. A form that already holds an answer (a re-visit, or a retry after a
    lost page) is edited the same way: its zone is open already."""
    t0 = time.perf_counter()
    await page.goto(job.link)
    await page.get_by_role("button", name="Skicka").wait_for()
    fig.open_s.append(time.perf_counter() - t0)
    already = await page.get_by_text("Du har redan svarat").count() > 0
    if not already:
        await page.locator('[data-testid="stExpander"] summary').filter(has_text=zone).click()
    for problem, level in answers.items():
        await _choose(page, zone, problem, level)
    send = page.get_by_role("button", name="Skicka")
    t1 = time.perf_counter()
    if double:  # a double tap: the second press lands while the first is being handled
        await send.dblclick()
        fig.submissions += 2
    else:
        await send.click()
        fig.submissions += 1
    # after a double tap (or on a retry) the thanks may be for a first answer or an edit
    thanks = SAVED if not (double or already) else EDITED if not double else "Tack! Ditt svar är"
    await page.get_by_text(thanks).first.wait_for()
    fig.submit_s.append(time.perf_counter() - t1)


async def _attempt(page: Any, job: Job, zone: str, answers: dict[str, int], fig: Figures, *,
                   double: bool) -> None:
    """:func:`_visit`, tried again (as a person reloads) up to :data:`RETRIES` times when the
    page does not answer in time on an overloaded machine; the last failure is raised."""
    for attempt in range(RETRIES + 1):
        try:
            await _visit(page, job, zone, answers, fig, double=double and attempt == 0)
            return
        except Exception:
            if attempt == RETRIES:
                raise
            fig.retries += 1
            await page.goto("about:blank")


async def _worker(browser: Any, host: str, queue: asyncio.Queue[Job], zone: str,
                  fig: Figures, revisits: list[Job]) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844},
                                        locale="sv-SE", has_touch=True, is_mobile=True)
    blocked: list[str] = []
    await _route(context, host, blocked)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        while True:
            try:
                job = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            try:
                await _attempt(page, job, zone, job.first, fig, double=job.double)
                if job.revisit is not None:
                    revisits.append(job)
                    await page.goto("about:blank")
                    await _attempt(page, job, zone, dict([job.revisit]), fig, double=False)
            except Exception as exc:  # noqa: BLE001 -- reported; the check then fails
                fig.errors.append(f"recipient {job.index}: {type(exc).__name__}: "
                                  f"{str(exc).splitlines()[0][:200]}")
                shot = ROOT / "test-artifacts" / f"load-survey-error-{job.index}.png"
                shot.parent.mkdir(exist_ok=True)
                await page.screenshot(path=str(shot), full_page=True)
    finally:
        await context.close()
    if blocked:
        fig.errors.append(f"requests to other origins: {blocked[:3]}")



async def _route(context: Any, host: str, blocked: list[str]) -> None:
    """Abort every request to another origin than the app's (the async twin of the e2e
    harness's ``block_other_origins``)."""
    from urllib.parse import urlparse

    async def route(r: Any) -> None:
        target = urlparse(r.request.url)
        if target.scheme in ("http", "https", "ws", "wss") and target.hostname != host:
            blocked.append(r.request.url)
            await r.abort()
        else:
            await r.continue_()

    await context.route("**/*", route)


async def drive(links: list[str], *, browsers: int, zone: str, double_every: int,
                revisit_every: int, host: str = "127.0.0.1") -> tuple[list[Job], Figures, float]:
    """Answer every link with ``browsers`` parallel contexts of one chromium; returns the
    plan, the figures and the wall time. (The e2e test runs this in a thread of its own:
    Playwright's sync API of the other browser tests keeps an event loop in the main one.)"""
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    jobs = plan(links, double_every=double_every, revisit_every=revisit_every)
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for j in jobs:
        queue.put_nowait(j)
    fig = Figures()
    revisits: list[Job] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        t0 = time.perf_counter()
        await asyncio.gather(*[_worker(browser, host, queue, zone, fig, revisits)
                               for _ in range(browsers)])
        wall = time.perf_counter() - t0
        await browser.close()
    return jobs, fig, wall


def check(engine: Any, survey_id: int, jobs: list[Job], zone_id: int) -> list[str]:
    """What is wrong in the store: responses per recipient ≠ 1, answers ≠ the last sent."""
    from sqlalchemy import text

    from mapapp.council import survey as sv

    bad: list[str] = []
    with engine.connect() as c:
        n = c.execute(text("SELECT count(*) FROM survey_responses r JOIN survey_recipients p "
                           "ON p.id = r.recipient_id WHERE p.survey_id = :s"),
                      {"s": survey_id}).scalar_one()
        dup = c.execute(text("SELECT recipient_id FROM survey_responses GROUP BY recipient_id "
                             "HAVING count(*) > 1")).all()
    if n != len(jobs):
        bad.append(f"{n} responses stored, want {len(jobs)}")
    if dup:
        bad.append(f"{len(dup)} recipients with more than one response")
    for job in jobs:
        token = job.link.split("?enkat=", 1)[1]
        rec = sv.resolve_token(engine, token)
        if rec is None:
            bad.append(f"recipient {job.index}: the token opens nothing")
            continue
        got, _ = sv.load_answer(engine, rec)
        want = {(zone_id, p): lv for p, lv in job.last.items()}
        if got != want:
            bad.append(f"recipient {job.index}: stored {got}, sent {want}")
    return bad


def _q(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * len(xs)) - 1))]


def report(args: argparse.Namespace, jobs: list[Job], fig: Figures, wall: float,
           bad: list[str], load: tuple[float, float, float]) -> str:
    n_double = sum(j.double for j in jobs)
    n_revisit = sum(j.revisit is not None for j in jobs)
    lines = [
        f"# survey through the links — {args.backend}, {len(jobs)} recipients, "
        f"{args.browsers} browser contexts (one chromium), streamlit run",
        f"{n_double} recipients press Skicka twice, {n_revisit} come back and edit; "
        f"{fig.submissions} presses of Skicka in all",
        f"wall {wall:.1f} s · {len(jobs) / wall:.2f} recipients/s · "
        f"{fig.submissions / wall:.2f} submissions/s",
        f"Skicka → thanks: median {statistics.median(fig.submit_s):.2f} s, "
        f"p95 {_q(fig.submit_s, 0.95):.2f} s, max {max(fig.submit_s):.2f} s"
        if fig.submit_s else "Skicka → thanks: –",
        f"link → form: median {statistics.median(fig.open_s):.2f} s, "
        f"p95 {_q(fig.open_s, 0.95):.2f} s, max {max(fig.open_s):.2f} s"
        if fig.open_s else "link → form: –",
        f"load average before/after: {load[0]:.1f} / {os.getloadavg()[0]:.1f} "
        f"({os.cpu_count()} cores)",
        f"visits tried again after a page did not answer in {TIMEOUT_MS // 1000} s: "
        f"{fig.retries}",
        f"errors {len(fig.errors)}; store problems {len(bad)}",
    ]
    lines += [f"  error: {e}" for e in fig.errors[:5]]
    if fig.errors:
        lines.append("  (screenshots: test-artifacts/load-survey-error-*.png)")
    lines += [f"  store: {b}" for b in bad[:5]]
    lines.append("CHECK " + ("PASSED" if not fig.errors and not bad else "FAILED"))
    return "\n".join(lines)


def setup_survey(engine: Any, n: int, public_url: str) -> tuple[int, list[str], int, str]:
    """A survey with ``n`` recipients; (its id, the links, the first zone's id and name)."""
    from mapapp.access import CLI_PRINCIPAL
    from mapapp.council import survey as sv
    from mapapp.settings import load_settings

    settings = load_settings({}, secret_key=KEY, public_url=public_url)
    sid = sv.create_survey(engine, CLI_PRINCIPAL, title="Belastning genom länkarna",
                           month="2023-05", closes=date.today() + timedelta(days=2))
    sv.add_recipients(engine, CLI_PRINCIPAL, sid, [
        {"organisation": f"Aktör {i}", "role": "Kontakt", "email": f"b{i}@x.example"}
        for i in range(n)], settings=settings)
    links = [x["link"] for x in sv.links(engine, CLI_PRINCIPAL, sid, settings=settings)]
    zone_id, zone = sv.zones(engine)[0]
    return sid, links, zone_id, zone


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exempel / example: python benchmarks/load_survey_browsers.py --recipients 200 "
               "--browsers 20")
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--recipients", type=int, default=200)
    ap.add_argument("--browsers", type=int, default=20, help="parallel browser contexts")
    ap.add_argument("--double-every", type=int, default=10,
                    help="every N-th recipient presses Skicka twice (0: none)")
    ap.add_argument("--revisit-every", type=int, default=8,
                    help="every N-th recipient comes back and edits (0: none)")
    ap.add_argument("--pg-url", default=DEFAULT_PG)
    args = ap.parse_args(argv)

    from benchmarks.freshdb import NotLocal, fresh_store
    from mapapp.access import CLI_PRINCIPAL
    from mapapp.store import init_store
    from mapapp.store.engine import make_engine
    from tests.e2e.conftest import start_app, stop_app

    load = os.getloadavg()
    try:
        with fresh_store(args.backend, args.pg_url, "mapapp_browsers") as (url, tmp):
            eng = make_engine(url)
            init_store(eng, CLI_PRINCIPAL)
            proc, app = start_app(url, tmp / "streamlit.log", {"MAPAPP_SECRET_KEY": KEY})
            try:
                sid, links, zone_id, zone = setup_survey(eng, args.recipients, app)
                jobs, fig, wall = asyncio.run(drive(links, browsers=args.browsers, zone=zone,
                                                    double_every=args.double_every,
                                                    revisit_every=args.revisit_every))
            finally:
                stop_app(proc)
            bad = check(eng, sid, jobs, zone_id)
            print(report(args, jobs, fig, wall, bad, load))
            eng.dispose()
            return 0 if not fig.errors and not bad else 1
    except NotLocal as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
