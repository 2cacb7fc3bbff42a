"""Streamlit's own settings (.streamlit/config.toml): XSRF protection on, cross-origin access
off, an upload limit, no usage statistics, no tracebacks in the browser -- read the way
Streamlit reads them, and tried against a running server. And no ``unsafe_allow_html`` with
user data anywhere in the app."""

from __future__ import annotations

import ast
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mapapp.settings import load_settings
from tests.conftest import ROOT

CONFIG = ROOT / ".streamlit" / "config.toml"


@pytest.fixture
def options(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """The options as Streamlit resolves them when started from the project folder."""
    from streamlit import config

    monkeypatch.chdir(ROOT)
    for key in list(os.environ):
        if key.startswith("STREAMLIT_"):
            monkeypatch.delenv(key)
    config.get_config_options(force_reparse=True)
    names = ("server.enableXsrfProtection", "server.enableCORS", "server.corsAllowedOrigins",
             "server.maxUploadSize", "browser.gatherUsageStats", "client.showErrorDetails")
    yield {n: config.get_option(n) for n in names}
    config.get_config_options(force_reparse=True)


def test_the_file_sets_each_option_explicitly():
    raw = tomllib.loads(CONFIG.read_text("utf-8"))
    # Explicit, not left to Streamlit defaults that change between versions.
    assert {"enableXsrfProtection", "enableCORS", "maxUploadSize"} <= set(raw["server"])
    assert "gatherUsageStats" in raw["browser"]


def test_xsrf_on_usage_stats_off_no_tracebacks(options):
    assert options["server.enableXsrfProtection"] is True
    assert options["browser.gatherUsageStats"] is False
    assert options["client.showErrorDetails"] in ("none", False)


def test_upload_limit_is_set_and_takes_a_photo(options):
    limit_mb = options["server.maxUploadSize"]
    assert isinstance(limit_mb, int) and 0 < limit_mb <= 500
    # A walk photo of the largest accepted size must still fit through the uploader.
    assert limit_mb * 1024 * 1024 >= load_settings(environ={}).photo_max_bytes


def test_secrets_file_is_never_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"],
                             cwd=ROOT, check=False)
    assert ignored.returncode == 0
    tracked = subprocess.run(["git", "ls-files", ".streamlit"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    assert ".streamlit/secrets.toml" not in tracked


# --- a running server -------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("cfg") / "cfg.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "MAPAPP_"))}
    env["MAPAPP_DATABASE_URL"] = f"sqlite:///{db}"
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        else:
            pytest.fail("streamlit did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _websocket_status(url: str, origin: str) -> int:
    """HTTP status of a WebSocket handshake to the app's stream from a page at ``origin``."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}:{port}\r\n"
                   f"Origin: {origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                   "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "\r\n").encode())
        return int(s.recv(256).split(b" ", 2)[1])


def test_server_sets_the_xsrf_cookie(server):
    with urllib.request.urlopen(f"{server}/_stcore/health", timeout=5) as r:
        cookies = r.headers.get_all("set-cookie") or []
    assert any(c.startswith("_streamlit_xsrf=") for c in cookies)


def test_same_origin_page_connects(server):
    assert _websocket_status(server, server) == 101


def test_other_sites_cannot_connect_or_read(server, options):
    """A page on another site must not open the app's WebSocket (cross-site WebSocket
    hijacking) nor read its HTTP responses. Streamlit's ``server.enableCORS = false`` turns
    that *protection* off (``Access-Control-Allow-Origin: *``, any origin's WebSocket)."""
    assert options["server.enableCORS"] is True
    assert "*" not in options["server.corsAllowedOrigins"]
    assert _websocket_status(server, "http://evil.example") == 403
    req = urllib.request.Request(f"{server}/_stcore/health",
                                 headers={"Origin": "http://evil.example"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.headers.get("access-control-allow-origin") in (None, "")


# --- no unsafe HTML with user data ------------------------------------------------------------

def _unsafe_html_calls(path: Path) -> tuple[list[tuple[int, ast.expr | None]], set[str]]:
    """Calls that render HTML (``unsafe_allow_html=True``, ``st.html``, ``components.html``)
    with their first argument, and the module's names bound to a string literal."""
    tree = ast.parse(path.read_text("utf-8"))
    constants = {t.id for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for t in node.targets if isinstance(t, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        kw = {k.arg: k.value for k in node.keywords}
        unsafe = kw.get("unsafe_allow_html")
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if (isinstance(unsafe, ast.Constant) and unsafe.value is True) or name == "html":
            found.append((node.lineno, node.args[0] if node.args else kw.get("body")))
    return found, constants


def _only_static_or_escaped(expr: ast.expr | None, constants: frozenset[str] = frozenset()
                            ) -> bool:
    """A literal (or a module constant bound to one), a translated message (t/tr), an
    f-string whose every value passes through ``html_text``, or a choice between such values."""
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.Name):
        return expr.id in constants
    if isinstance(expr, ast.IfExp):  # a choice between two safe values
        return (_only_static_or_escaped(expr.body, constants)
                and _only_static_or_escaped(expr.orelse, constants))
    if isinstance(expr, ast.Call):
        f = expr.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        return name in ("t", "tr", "html_text")
    if isinstance(expr, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) or (
            isinstance(v, ast.FormattedValue) and _only_static_or_escaped(v.value, constants))
            for v in expr.values)
    return False


def test_no_unsafe_html_with_user_data():
    offenders = []
    for path in sorted((ROOT / "mapapp").rglob("*.py")):
        calls, constants = _unsafe_html_calls(path)
        for line, expr in calls:
            if not _only_static_or_escaped(expr, frozenset(constants)):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == [], "HTML built from data without html_text: " + ", ".join(offenders)


def test_mapapp_serve_passes_the_same_settings_as_the_checkouts_file():
    """``mapapp serve`` runs the packaged app without the checkout's .streamlit folder: it gives
    every option on the command line, and they agree with .streamlit/config.toml."""
    from mapapp.cli.ops import STREAMLIT_OPTIONS, streamlit_command

    raw = tomllib.loads(CONFIG.read_text("utf-8"))
    for section, values in raw.items():
        for key, value in values.items():
            want = str(value).lower() if isinstance(value, bool) else str(value)
            assert STREAMLIT_OPTIONS.get(f"{section}.{key}") == want, f"{section}.{key}"
    cmd = streamlit_command(8765, "127.0.0.1")
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("streamlit_main.py")
    pairs = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert pairs["--server.enableXsrfProtection"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--server.headless"] == "true"
    assert pairs["--server.port"] == "8765" and pairs["--server.address"] == "127.0.0.1"
