"""Log-in through a real OpenID Connect provider, end to end in chromium: the npm package
oidc-provider (pinned in tests/js) on 127.0.0.1, the app with an ``[auth]`` secrets file and
``MAPAPP_OIDC_ROLES``. The role comes from the groups claim; a user whose groups map to no role
is refused with a message; log-out ends the app's and the provider's session; an ID token that
was tampered with or has expired is refused."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from mapapp.store.audit import events
from mapapp.store.engine import make_engine
from tests.conftest import ADMIN
from tests.e2e.conftest import BIN, ROOT, artifact, stop_app

pytestmark = pytest.mark.e2e

NODE_SCRIPT = ROOT / "tests" / "js" / "oidc_provider.mjs"
CLIENT_ID = "mapapp-test"
ROLES = "mapapp-lasare=lasare,mapapp-polis=polis,mapapp-admin=admin"


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen, log: Path, what: str) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start:\n" + log.read_text("utf-8"))
        time.sleep(0.3)


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The identity provider and an app configured for it (a fresh store)."""
    if not (ROOT / "tests" / "js" / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("oidc-provider is missing: run `bash tools/test-js-deps.sh`")
    tmp = tmp_path_factory.mktemp("oidc")
    idp_port, app_port = _port(), _port()
    idp, app = f"http://127.0.0.1:{idp_port}", f"http://127.0.0.1:{app_port}"
    client_secret = secrets.token_urlsafe(24)
    idp_log = tmp / "idp.log"
    with open(idp_log, "wb") as out:
        idp_proc = subprocess.Popen(
            ["node", str(NODE_SCRIPT), str(idp_port), CLIENT_ID, client_secret,
             f"{app}/oauth2callback"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    app_proc = None
    try:
        _wait(f"{idp}/.well-known/openid-configuration", idp_proc, idp_log, "oidc-provider")
        db = f"sqlite:///{tmp / 'mapapp.db'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAPAPP_")}
        env.update({"MAPAPP_DATABASE_URL": db, "MAPAPP_OIDC_ROLES": ROLES,
                    "PYTHONUNBUFFERED": "1"})
        subprocess.run([str(BIN / "mapapp"), "init"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        secrets_file = tmp / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "{app}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_hex(32)}"\n'
            f'client_id = "{CLIENT_ID}"\n'
            f'client_secret = "{client_secret}"\n'
            f'server_metadata_url = "{idp}/.well-known/openid-configuration"\n'
            # oidc-provider knows no prompt=select_account (Streamlit's default)
            'client_kwargs = { scope = "openid email profile groups", prompt = "login" }\n',
            encoding="utf-8")
        app_log = tmp / "streamlit.log"
        with open(app_log, "wb") as out:
            app_proc = subprocess.Popen(
                [str(BIN / "streamlit"), "run", "streamlit_app.py", "--server.port",
                 str(app_port), "--server.address", "127.0.0.1", "--server.headless", "true",
                 "--browser.gatherUsageStats", "false", "--secrets.files", str(secrets_file)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _wait(f"{app}/_stcore/health", app_proc, app_log, "streamlit")
        yield {"app": app, "idp": idp, "db": db, "log": str(app_log)}
    finally:
        if app_proc is not None:
            stop_app(app_proc)
        stop_app(idp_proc)


@pytest.fixture
def page(_browser, oidc_app) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A page that may reach the app and the identity provider (both on 127.0.0.1); anything
    else (the provider's demo pages import a web font) is aborted."""
    allowed = {urlparse(oidc_app["app"]).netloc, urlparse(oidc_app["idp"]).netloc}
    context = _browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")

    def route(r) -> None:  # type: ignore[no-untyped-def]
        target = urlparse(r.request.url)
        if target.scheme in ("http", "https") and target.netloc not in allowed:
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    p = context.new_page()
    p.set_default_timeout(60_000)
    yield p
    context.close()


def _id_token_mode(oidc_app: dict[str, str], mode: str) -> None:
    req = urllib.request.Request(f"{oidc_app['idp']}/__test/id_token/{mode}", method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 204


def _provider_login(page, oidc_app, account: str) -> None:  # type: ignore[no-untyped-def]
    """From the app's log-in page through the provider's own log-in form."""
    page.goto(oidc_app["app"])
    page.get_by_role("button", name="Logga in med stadens konto").click()
    page.wait_for_url(f"{oidc_app['idp']}/**")
    page.locator('input[name="login"]').fill(account)
    page.locator('input[name="password"]').fill("vad-som-helst")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(f"{oidc_app['app']}/**")


def _provider_session(page, oidc_app) -> bool:  # type: ignore[no-untyped-def]
    return any(c["name"] == "_session" for c in page.context.cookies(oidc_app["idp"]))


def _app_user_cookie(page, oidc_app) -> bool:  # type: ignore[no-untyped-def]
    return any(c["name"].startswith("_streamlit_user")
               for c in page.context.cookies(oidc_app["app"]))


def test_log_in_role_from_groups_and_log_out_ends_both_sessions(page, oidc_app):
    _provider_login(page, oidc_app, "anna")
    page.get_by_text("Inloggad som anna.andersson@stad.example (Polis)").wait_for()
    page.get_by_role("link", name="Karta").wait_for()
    assert _provider_session(page, oidc_app) and _app_user_cookie(page, oidc_app)
    page.screenshot(path=str(artifact("oidc-logged-in.png")))

    page.get_by_role("button", name="Logga ut").click()
    # the provider asks to confirm the end of its session (RP-initiated logout)
    page.wait_for_url(f"{oidc_app['idp']}/**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{oidc_app['app']}/**")
    page.get_by_role("button", name="Logga in med stadens konto").wait_for()
    assert page.get_by_text("Inloggad som").count() == 0
    assert not _provider_session(page, oidc_app), "the provider's session is still there"
    assert not _app_user_cookie(page, oidc_app), "the app's identity cookie is still there"

    # the most privileged mapped group wins; the store keeps the user with that role
    _provider_login(page, oidc_app, "cecilia")
    page.get_by_text("Inloggad som cecilia@stad.example (Administratör)").wait_for()
    log = events(make_engine(oidc_app["db"]), ADMIN)
    logins = log[(log["action"] == "login") & (log["entity_id"] != "cli")]
    assert set(logins["entity_id"]) >= {"anna.andersson@stad.example", "cecilia@stad.example"}


def test_a_user_whose_groups_map_to_no_role_is_refused(page, oidc_app):
    _provider_login(page, oidc_app, "bertil")
    page.get_by_text("Kontot bertil@stad.example är inte med i någon grupp som ger en roll "
                     "i kartan").wait_for()
    assert page.get_by_role("link", name="Karta").count() == 0
    assert page.get_by_text("Inloggad som").count() == 0
    log = events(make_engine(oidc_app["db"]), ADMIN)
    refused = log[(log["action"] == "login_failed") & (log["entity_id"] == "bertil@stad.example")]
    assert len(refused) == 1 and "no_role" in str(refused["detail"].iloc[0])


@pytest.mark.parametrize(("bad", "error"), [("tampered", "BadSignatureError"),
                                            ("expired", "ExpiredTokenError")])
def test_a_tampered_or_expired_id_token_is_refused(page, oidc_app, bad, error):
    _id_token_mode(oidc_app, bad)
    before = Path(oidc_app["log"]).read_text("utf-8", errors="replace").count(error)
    try:
        _provider_login(page, oidc_app, "anna")
        page.get_by_role("button", name="Logga in med stadens konto").wait_for()
        page.wait_for_timeout(1500)
        assert page.get_by_text("Inloggad som").count() == 0
        assert page.get_by_role("link", name="Karta").count() == 0
        assert not _app_user_cookie(page, oidc_app)
        # refused by the ID token's check (Authlib, in st.login's callback), for this reason
        log = Path(oidc_app["log"]).read_text("utf-8", errors="replace")
        assert log.count(error) > before, log[-3000:]
    finally:
        _id_token_mode(oidc_app, "ok")
    # the same account with a good token gets in (the refusal was the token's)
    _provider_login(page, oidc_app, "anna")
    page.get_by_text("Inloggad som anna.andersson@stad.example (Polis)").wait_for()
