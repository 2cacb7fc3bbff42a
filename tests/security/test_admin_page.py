"""The app as a user meets it (streamlit AppTest on a real SQLite store): nothing before
log-in, the admin page only for admins, its forms audited, a deactivated or demoted user's
running session follows at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from mapapp.auth import add_user, authenticate, principal_for, set_active, set_role
from mapapp.store.audit import events
from tests.conftest import ADMIN, ROOT

PASSWORD = "Gröna-lyktan-7"


@pytest.fixture
def app_store(app_db) -> Iterator:
    add_user(app_db, ADMIN, "root", "admin", password=PASSWORD)
    add_user(app_db, ADMIN, "lasse", "lasare", password=PASSWORD)
    yield app_db


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)


def _log_in(at: AppTest, user: str, password: str = PASSWORD) -> AppTest:
    at.run()
    at.text_input(key="login_username").input(user)
    at.text_input(key="login_password").input(password)
    at.button[0].click()  # the form's submit button
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.title, *at.error, *at.success, *at.info,
                               *at.warning, *at.caption, *at.subheader)]
    return "\n".join(str(p) for p in parts)


def test_nothing_but_the_log_in_form_before_log_in(app_store):
    at = _app().run()
    assert not at.exception
    assert [w.key for w in at.text_input] == ["login_username", "login_password"]
    assert len(at.dataframe) == 0
    at = _log_in(at, "root", "fel-lösenord-123")
    assert "Fel användarnamn eller lösenord" in _texts(at)
    assert events(app_store, ADMIN, actions=["login_failed"])["username"].tolist() == ["root"]


def test_admin_logs_in(app_store):
    at = _log_in(_app(), "root")
    assert not at.exception, at.exception
    assert "Inloggad som root (Administratör)" in _texts(at)
    assert "login_username" not in [w.key for w in at.text_input]
    assert events(app_store, ADMIN, actions=["login"])["username"].tolist() == ["root"]


def test_admin_page_refuses_other_roles(app_store):
    for role in ("lasare", "vandrare", "samordnare", "polis"):
        add_user(app_store, ADMIN, f"u-{role}", role, password=PASSWORD)
        page = AppTest.from_function(_render_admin, default_timeout=60)
        page.session_state["mapapp_principal"] = principal_for(app_store, f"u-{role}")
        page.run()
        assert not page.exception
        assert "får inte" in _texts(page), role
        assert len(page.dataframe) == 0 and len(page.text_input) == 0, role


def _render_admin() -> None:
    import streamlit as st

    from mapapp.errors import MapAppError
    from mapapp.ui.pages import admin

    try:
        admin.render()
    except MapAppError as exc:
        st.error(str(exc))


def _admin_page(engine) -> AppTest:
    at = AppTest.from_function(_render_admin, default_timeout=60)
    at.session_state["mapapp_principal"] = principal_for(engine, "root")
    return at.run()


def test_admin_adds_a_user_changes_role_deactivates(app_store):
    at = _admin_page(app_store)
    assert not at.exception, at.exception
    users = at.dataframe[0].value
    assert set(users.iloc[:, 0]) == {"root", "lasse"}
    at.text_input(key="admin_add_name").input("vera")
    at.selectbox(key="admin_add_role").select("vandrare")
    at.text_input(key="admin_add_team").input("lag-2")
    at.button(key="admin_add_submit").click()
    at.run()
    assert not at.exception, at.exception
    assert "Användaren vera är skapad" in _texts(at)
    generated = at.code[0].value
    assert len(generated) >= 10
    assert principal_for(app_store, "vera").team == "lag-2"
    at.selectbox(key="admin_role_user").select("vera")
    at.selectbox(key="admin_role_role").select("polis")
    at.button(key="admin_role_submit").click()
    at.run()
    assert principal_for(app_store, "vera").role == "polis"
    at.selectbox(key="admin_active_user").select("vera")
    at.button(key="admin_deactivate").click()
    at.run()
    assert not at.exception, at.exception
    assert principal_for(app_store, "vera") is None
    audit = events(app_store, ADMIN, username="root")
    assert audit["action"].tolist()[:3] == ["deactivate", "role_change", "create"]
    assert set(audit["entity_id"].head(3)) == {"vera"}
    at.selectbox(key="admin_password_user").select("lasse")
    at.button(key="admin_password_submit").click()
    at.run()
    assert "lasse har fått ett nytt lösenord" in _texts(at)
    new_password = at.code[0].value
    assert authenticate(app_store, "lasse", PASSWORD) is None
    assert authenticate(app_store, "lasse", new_password) is not None
    assert events(app_store, ADMIN, actions=["password_reset"])["entity_id"].tolist() == ["lasse"]


def test_admin_page_refuses_the_last_admin_with_a_message(app_store):
    at = _admin_page(app_store)
    at.selectbox(key="admin_role_user").select("root")
    at.selectbox(key="admin_role_role").select("lasare")
    at.button(key="admin_role_submit").click()
    at.run()
    assert not at.exception
    assert "sista aktiva administratören" in _texts(at)
    assert principal_for(app_store, "root").role == "admin"


def test_audit_view_and_retention_dry_run(app_store):
    at = _admin_page(app_store)
    audit_frame = at.dataframe[1].value
    assert "create" in set(audit_frame.iloc[:, 4])
    at.button(key="admin_retention_preview").click()
    at.run()
    assert not at.exception, at.exception
    assert "Provkörning" in _texts(at)
    assert at.button(key="admin_retention_apply").disabled
    at.checkbox(key="admin_retention_confirm").check()
    at.run()
    at.button(key="admin_retention_apply").click()
    at.run()
    assert "Gallrat" in _texts(at)
    assert events(app_store, ADMIN, actions=["retention"])["username"].tolist() == ["root"]


def _session() -> None:
    import streamlit as st

    from mapapp.ui import context as ctx
    from mapapp.ui.login import logout_button

    logout_button()
    who = ctx.principal()
    st.write(f"session={who.username}:{who.role}" if who else "session=none")


def test_a_running_session_follows_deactivation_and_role_change(app_store):
    at = AppTest.from_function(_session, default_timeout=60)
    at.session_state["mapapp_principal"] = principal_for(app_store, "lasse")
    at.run()
    assert "session=lasse:lasare" in _texts(at)
    set_role(app_store, ADMIN, "lasse", "polis")
    at.run()
    assert "session=lasse:polis" in _texts(at)
    set_active(app_store, ADMIN, "lasse", False)
    at.run()
    assert not at.exception
    assert "session=none" in _texts(at)


# --- OIDC (st.login) -----------------------------------------------------------------------

AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback",
                 "cookie_secret": "x" * 32, "client_id": "mapapp",
                 "client_secret": "not-a-secret",
                 "server_metadata_url": "https://login.example/.well-known/openid-configuration"}}


def _oidc_app(email: str) -> AppTest:
    at = _app()
    at.secrets.update(AUTH)
    at.user = {"is_logged_in": True, "email": email, "name": "Anna"}
    return at


def test_oidc_user_with_a_role_is_signed_in_and_audited(app_store):
    add_user(app_store, ADMIN, "anna@stockholm.se", "polis", password=PASSWORD)
    at = _oidc_app("Anna@Stockholm.se").run()
    assert not at.exception, at.exception
    assert "Inloggad som anna@stockholm\\.se (Polis)" in _texts(at)
    row = events(app_store, ADMIN, actions=["login"]).iloc[0]
    assert row["username"] == "anna@stockholm.se" and row["detail"] == {"method": "oidc"}


def test_oidc_user_without_a_role_gets_nothing(app_store):
    at = _oidc_app("okand@example.com").run()
    at.run()
    assert not at.exception, at.exception
    assert "saknar roll" in _texts(at)
    assert "Inloggad som" not in _texts(at)
    assert len(at.dataframe) == 0
    failed = events(app_store, ADMIN, actions=["login_failed"])
    assert failed["username"].tolist() == ["okand@example.com"]  # once, not per rerun


def test_oidc_deactivated_user_gets_nothing(app_store):
    add_user(app_store, ADMIN, "anna@stockholm.se", "polis", password=PASSWORD)
    set_active(app_store, ADMIN, "anna@stockholm.se", False)
    at = _oidc_app("anna@stockholm.se").run()
    assert "Inloggad som" not in _texts(at)
    assert "saknar roll" in _texts(at)


def test_oidc_log_out_also_ends_the_identity_provider_session(app_store):
    add_user(app_store, ADMIN, "anna@stockholm.se", "samordnare", password=PASSWORD)
    at = _oidc_app("anna@stockholm.se").run()
    assert "Inloggad som anna@stockholm\\.se" in _texts(at)
    at.button(key="logout").click()
    at.run()  # this run hands the browser to the provider's end of session (st.logout + stop)
    assert not at.exception, at.exception
    assert at.user.get("is_logged_in") is False
    at.run()  # the page the browser comes back to
    assert not at.exception, at.exception
    assert "Inloggad som" not in _texts(at)  # not signed straight in again
    assert at.user.get("is_logged_in") is False


def test_log_in_form_says_when_a_user_name_is_blocked(app_store):
    from mapapp.auth import MAX_FAILED

    for i in range(MAX_FAILED):
        authenticate(app_store, "lasse", f"gissning-{i:04d}")
    at = _log_in(_app(), "lasse")  # the right password, but too late
    assert not at.exception
    assert "För många misslyckade inloggningar" in _texts(at)
    assert "Inloggad som" not in _texts(at)
