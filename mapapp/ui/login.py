"""Log-in: built-in accounts by default; OIDC via ``st.login`` when secrets configure it."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy import Engine

from mapapp.access import Principal, group_roles, role_for_groups
from mapapp.auth import (
    LOCKOUT_WINDOW,
    MAX_FAILED,
    authenticate,
    login_external,
    login_mapped,
    principal_for,
    recent_failures,
    user_count,
)
from mapapp.errors import MapAppError
from mapapp.logs import survived
from mapapp.textsafe import markdown_text
from mapapp.ui import context as ctx

log = logging.getLogger(__name__)

_OIDC_REFUSED = "mapapp_oidc_refused"
LOCKOUT_MINUTES = int(LOCKOUT_WINDOW.total_seconds() // 60)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception as exc:  # no secrets file at all
        survived(log, exc, "no Streamlit secrets: built-in log-in only", level=logging.DEBUG)
        return False


def _oidc_logged_in() -> bool:
    user = getattr(st, "user", None)
    return bool(user is not None and user.get("is_logged_in", False))


def _oidc_identity() -> str:
    """The signed-in identity's user name: its e-mail, else (Entra ID without a mail
    attribute) preferred_username, else the subject."""
    for claim in ("email", "preferred_username", "sub"):
        value = st.user.get(claim)
        if value:
            return str(value)
    return ""


def _oidc_principal(engine: Engine, email: str) -> tuple[Principal | None, str]:
    """(principal or None, message key when refused). With ``MAPAPP_OIDC_ROLES`` the groups
    claim gives the role; without it the user table does (the e-mail must be a user)."""
    settings = ctx.get_settings()
    mapping = group_roles(settings.oidc_roles)
    if not mapping:
        return login_external(engine, email, method="oidc"), "login.oidc_unknown"
    granted = role_for_groups(st.user.get(settings.oidc_groups_claim), mapping)
    try:
        who = login_mapped(engine, email, granted, method="oidc")
    except MapAppError:
        who = None
    return who, ("login.oidc_no_group" if granted is None else "login.oidc_unknown")


def login_gate() -> None:
    """Show the log-in form; on success store the principal and rerun."""
    engine = ctx.get_engine()
    st.title(ctx.tr("app.title"))
    st.caption(ctx.tr("app.subtitle"))
    if _oidc_configured():
        if _oidc_logged_in():
            email = _oidc_identity()
            # one audit row per refused identity and session, not one per rerun
            refused = st.session_state.get(_OIDC_REFUSED)
            if refused is not None and refused[0] == email:
                who, why = None, refused[1]
            else:
                who, why = _oidc_principal(engine, email)
            if who is None:
                st.session_state[_OIDC_REFUSED] = (email, why)
                st.error(ctx.tr(why, user=markdown_text(email)))
                if st.button(ctx.tr("app.logout"), key="oidc_logout"):
                    st.session_state.pop(_OIDC_REFUSED, None)
                    st.logout()
                return
            st.session_state[ctx.PRINCIPAL_KEY] = who
            st.rerun()
        if st.button(ctx.tr("login.oidc"), type="primary"):
            st.login()
    if user_count(engine) == 0:
        st.warning(ctx.tr("login.no_users"))
        return
    with st.form("login", border=True):
        st.subheader(ctx.tr("login.title"))
        username = st.text_input(ctx.tr("login.username"), key="login_username")
        password = st.text_input(ctx.tr("login.password"), type="password",
                                 key="login_password")
        if st.form_submit_button(ctx.tr("login.submit"), type="primary"):
            who = authenticate(engine, username.strip(), password)
            if who is None and recent_failures(engine, username.strip()) >= MAX_FAILED:
                st.error(ctx.tr("admin.login_blocked", minutes=LOCKOUT_MINUTES))
            elif who is None:
                st.error(ctx.tr("login.failed"))
            else:
                st.session_state[ctx.PRINCIPAL_KEY] = who
                st.rerun()


def refresh_principal() -> None:
    """Re-read the signed-in user from the store: a user deactivated since log-in is signed out
    at once, and a changed role (or team) applies from this step on, not from the next log-in.
    """
    who = ctx.principal()
    if who is None:
        return
    current = principal_for(ctx.get_engine(), who.username)
    if current == who:
        return
    if current is None:
        st.session_state.pop(ctx.PRINCIPAL_KEY, None)
        st.rerun()
    st.session_state[ctx.PRINCIPAL_KEY] = current


def logout_button() -> None:
    """Who is signed in, and the log-out button. Called on every step of a signed-in session
    (before the page runs), so it first re-checks the user (:func:`refresh_principal`)."""
    refresh_principal()
    who = ctx.principal()
    if who is None:
        return
    st.caption(ctx.tr("app.signed_in_as", user=markdown_text(who.username),
                       role=ctx.tr(f"role.{who.role}")))
    if st.button(ctx.tr("app.logout"), key="logout"):
        st.session_state.pop(ctx.PRINCIPAL_KEY, None)
        st.cache_data.clear()
        if _oidc_configured() and _oidc_logged_in():
            # The browser is sent to the identity provider's end of session (and back): a
            # rerun here would drop that redirect, and the provider's session would live on.
            st.logout()
            st.stop()
        st.rerun()
