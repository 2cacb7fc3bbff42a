"""End-to-end harness: ``streamlit run streamlit_app.py`` on a free port against a fresh SQLite
store (``mapapp init`` + a small ``mapapp demo``) and Debian's chromium driven by Playwright.

Fixtures (reusable by every browser test):

- ``app_url``: the running app's base URL (one server per test session). The server runs with
  the default settings (no ``MAPAPP_*`` from the caller's environment but the store): the
  bundled basemap, so the page must make no request to any other origin.
- ``browser_page``: a fresh 1280×800 page. Every request is recorded in
  ``page.mapapp_requests``, failures in ``page.mapapp_failed``; a request to any host other
  than the app's is aborted and recorded in ``page.mapapp_blocked``.
- ``login(page, user, password)``: sign in through the form (also a plain function here).
- ``e2e_store``: the SQLite URL the server uses (for reading expected values).
- ``start_app``/``stop_app``, and ``run_app(db_url, log, extra_env)`` (a context manager): one
  more server with other settings (e.g. ``MAPAPP_BASEMAP``) for a test that needs them.

The demo accounts (admin, polis, samordnare, lasare, vandrare) share :data:`PASSWORD`.
Everything here is marked ``e2e``.

**No personal data in the log.** The server runs with ``MAPAPP_LOG_LEVEL=DEBUG`` and its
stdout/stderr go to a file. Every text a test types into the page (Playwright's
``Locator.fill``: notes, passwords, organisers …; user names excepted, they may be logged) is
recorded, and when the session ends the log must hold none of them, nor a personnummer -- and
must hold mapapp's own records (so the scan saw a real log). The log is kept in
``test-artifacts/streamlit-e2e.log``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PASSWORD = "demo-losen-2023"  # the demo accounts' public password  # noqa: S105
VIEWPORT = {"width": 1280, "height": 800}
ARTIFACTS = ROOT / "test-artifacts"
#: Texts the tests typed into the app (see the module docstring).
TYPED: set[str] = set()
_USERNAME_LABELS = ("Användarnamn", "Username")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def block_other_origins(context: object, host: str | None, blocked: list[str]) -> None:
    """Abort every request of ``context`` to another origin than the app's ``host`` (the app
    must work without the internet) and record its address in ``blocked``."""

    def route(r: object) -> None:
        req = r.request  # type: ignore[attr-defined]
        target = urlparse(req.url)
        if target.scheme in ("http", "https", "ws", "wss") and target.hostname != host:
            blocked.append(req.url)
            r.abort()  # type: ignore[attr-defined]
        else:
            r.continue_()  # type: ignore[attr-defined]

    context.route("**/*", route)  # type: ignore[attr-defined]


def _free_port() -> int:
    want = os.environ.get("MAPAPP_E2E_PORT")
    if want:
        return int(want)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPAPP_")}
    env.update({"MAPAPP_DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1",
                "MAPAPP_LOG_LEVEL": "DEBUG"})
    return env


@pytest.fixture(scope="session", autouse=True)
def _record_typed_texts() -> Iterator[None]:
    """Wrap Playwright's ``Locator.fill`` to note every text typed (user names excepted)."""
    from playwright.sync_api import Locator

    original = Locator.fill

    def fill(self: Locator, value: str, *args: object, **kwargs: object) -> None:
        if not any(label in str(self) for label in _USERNAME_LABELS):
            TYPED.add(value)
        return original(self, value, *args, **kwargs)  # type: ignore[arg-type]

    Locator.fill = fill  # type: ignore[method-assign]
    yield
    Locator.fill = original  # type: ignore[method-assign]


def scan_log(text: str, typed: set[str]) -> list[str]:
    """What of ``typed`` (texts of 6+ characters) or a personnummer the log ``text`` holds."""
    import re

    found = [t for t in sorted(typed) if len(t.strip()) >= 6 and t in text]
    found += re.findall(r"(?<!\d)(?:19|20)?\d{6}[-+]\d{4}(?!\d)", text)
    return found


@pytest.fixture(scope="session")
def e2e_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh store: schema, the bundled district and a small demo data set."""
    path = tmp_path_factory.mktemp("e2e") / "mapapp.db"
    url = f"sqlite:///{path}"
    env = _env(url)
    mapapp = str(BIN / "mapapp")
    subprocess.run([mapapp, "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([mapapp, "demo", "--incidents", "4000", "--observations", "400"], env=env,
                   cwd=ROOT, check=True, capture_output=True)
    return url


def start_app(db_url: str, log: Path, extra_env: dict[str, str] | None = None,
              port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """``streamlit run streamlit_app.py`` on ``port`` (default: a free one) against ``db_url``,
    its output in ``log``; returns (the process, its base URL) once it answers. Also used by
    ``benchmarks/load_survey_browsers.py``."""
    port = port or _free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "streamlit"), "run", "streamlit_app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**_env(db_url), **(extra_env or {})}, stdout=out,
            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_app(proc)
            raise RuntimeError("streamlit did not start:\n" + log.read_text("utf-8"))
        time.sleep(0.3)


def stop_app(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def run_app(db_url: str, log: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """:func:`start_app` on a free port (never ``MAPAPP_E2E_PORT``: the session's server has
    it) for a test that needs other settings; yields its URL and stops it afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc, url = start_app(db_url, log, extra_env, port=port)
    try:
        yield url
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def app_url(e2e_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run streamlit_app.py`` on a free port; stopped after the session."""
    log = tmp_path_factory.mktemp("e2e-log") / "streamlit.log"
    proc, url = start_app(e2e_store, log)
    try:
        yield url
    finally:
        stop_app(proc)
    text = log.read_text("utf-8", errors="replace")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "streamlit-e2e.log").write_text(text, "utf-8")
    assert "mapapp.store.audit" in text, (
        "the server's log holds no mapapp records: the privacy scan would see nothing")
    leaked = scan_log(text, TYPED)
    assert not leaked, f"personal data in the server log: {leaked}"


@pytest.fixture(scope="session")
def _browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser: object, app_url: str) -> Iterator[object]:
    """A 1280×800 page that records every request and blocks other origins."""
    host = urlparse(app_url).hostname
    context = _browser.new_context(viewport=VIEWPORT, locale="sv-SE")  # type: ignore[attr-defined]
    page = context.new_page()
    page.mapapp_requests = []
    page.mapapp_failed = []
    page.mapapp_blocked = []

    block_other_origins(context, host, page.mapapp_blocked)
    page.on("request", lambda req: page.mapapp_requests.append(req.url))
    page.on("requestfailed", lambda req: page.mapapp_failed.append((req.url, req.failure)))
    page.set_default_timeout(60_000)  # a loaded 2-core machine reruns slowly
    yield page
    context.close()


def login(page: object, user: str, password: str = PASSWORD) -> None:
    """Sign in through the app's form (Swedish labels) and wait for the navigation."""
    page.get_by_label("Användarnamn").fill(user)  # type: ignore[attr-defined]
    page.get_by_label("Lösenord").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Logga in").click()  # type: ignore[attr-defined]
    page.get_by_text("Logga ut").wait_for()  # type: ignore[attr-defined]


@pytest.fixture(name="login")
def login_fixture() -> Callable[..., None]:
    return login


def artifact(name: str) -> Path:
    """A path in test-artifacts/ (created; the folder is gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def tap_map(page, lon: float, lat: float, shown, *, timeout_ms: int = 6000) -> None:  # type: ignore[no-untyped-def]
    """Tap the map (touch) at lon/lat until ``shown`` (a locator) appears. The map is redrawn
    after every save, so a tap during a redraw can be lost: it is repeated up to four times."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(4):
        frame_el = page.locator(MAP_IFRAME)
        frame_el.scroll_into_view_if_needed()
        frame = frame_el.element_handle().content_frame()
        frame.wait_for_function("() => window.map && window.map.getSize().x > 0")
        page.wait_for_timeout(500)
        x, y = frame.evaluate(
            "([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]);"
            " const r = window.map.getContainer().getBoundingClientRect();"
            " return [p.x + r.left, p.y + r.top]; }", [lat, lon])
        box = frame_el.bounding_box()
        page.touchscreen.tap(box["x"] + x, box["y"] + y)
        try:
            shown.wait_for(timeout=timeout_ms)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("the tap on the map was not taken")
