"""Admin: users and roles, the audit log, retention (gallring). Admins only -- the shell hides
the page from other roles and every function called here checks the role again."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from mapapp.access import Perm, Principal, Role
from mapapp.auth import add_user, list_users, reset_password, set_active, set_role
from mapapp.errors import MapAppError
from mapapp.i18n import Message
from mapapp.logs import survived
from mapapp.retention import apply_retention
from mapapp.store import audit
from mapapp.textsafe import csv_cell
from mapapp.timezone import LOCAL_TZ, LOCAL_ZONE, local_midnight, local_today
from mapapp.ui import context as ctx
from mapapp.ui import state

log = logging.getLogger(__name__)

PERMISSION = Perm.ADMIN
AUDIT_LIMIT = 5000
PAGE = "admin"


def render() -> None:
    who = ctx.require_principal()
    who.require(Perm.ADMIN)
    engine = ctx.get_engine()
    st.title(ctx.tr("admin.title"))
    flash = state.show_flash(PAGE, lang=ctx.lang())
    if flash is not None and flash.extra:
        st.info(ctx.tr("admin.users.generated_password"))
        st.code(flash.extra, language=None)
    users_tab, audit_tab, retention_tab = st.tabs(
        [ctx.tr("admin.tab.users"), ctx.tr("admin.tab.audit"), ctx.tr("admin.tab.retention")])
    with users_tab:
        _users(engine, who)
    with audit_tab:
        _audit(engine, who)
    with retention_tab:
        _retention(engine, who)


def _role_label(role: str) -> str:
    return ctx.tr(f"role.{role}")


def _done(msg_key: str, password: str | None = None, **params: Any) -> None:
    """Show the message ``msg_key`` (and a generated password, once) after the page reloads
    its lists."""
    state.flash(PAGE, msg_key, extra=password, **params)
    st.rerun()


# --- users -------------------------------------------------------------------------------------

def _users(engine: Engine, who: Principal) -> None:
    users = list_users(engine, who)
    shown = users.assign(
        role=users["role"].map(_role_label),
        active=users["active"].map(lambda a: ctx.tr("common.yes") if a else ctx.tr("common.no")),
        created_at=pd.to_datetime(users["created_at"], utc=True).dt.tz_convert(LOCAL_TZ)
        .dt.strftime("%Y-%m-%d %H:%M"),
    ).rename(columns={c: ctx.tr(f"admin.users.col.{c}") for c in users.columns})
    st.dataframe(shown, hide_index=True, use_container_width=True)

    roles = [r.value for r in Role]
    names = users["username"].tolist()
    left, right = st.columns(2)
    with left, st.form("admin_add_user", clear_on_submit=True):
        st.subheader(ctx.tr("admin.users.add"))
        name = st.text_input(ctx.tr("admin.users.name"), key="admin_add_name")
        role = st.selectbox(ctx.tr("admin.users.role"), roles, format_func=_role_label,
                            key="admin_add_role")
        team = st.text_input(ctx.tr("admin.users.team"), key="admin_add_team",
                             help=ctx.tr("admin.users.team_help"))
        password = st.text_input(ctx.tr("admin.users.password"), type="password",
                                 key="admin_add_password", help=ctx.tr("admin.users.password_help"))
        if st.form_submit_button(ctx.tr("admin.users.add_submit"), type="primary",
                                 key="admin_add_submit"):
            try:
                generated = add_user(engine, who, name.strip(), role,
                                     password=password or None, team=team.strip() or None)
            except MapAppError as exc:
                survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
                st.error(ctx.error_text(exc))
                return
            _done("admin.users.created", None if password else generated, user=name.strip())
    with right:
        if not names:
            st.info(ctx.tr("admin.users.none"))
            return
        with st.form("admin_role"):
            st.subheader(ctx.tr("admin.users.change_role"))
            user = st.selectbox(ctx.tr("admin.users.pick"), names, key="admin_role_user")
            new_role = st.selectbox(ctx.tr("admin.users.new_role"), roles,
                                    format_func=_role_label, key="admin_role_role")
            if st.form_submit_button(ctx.tr("admin.users.role_submit"), key="admin_role_submit"):
                try:
                    set_role(engine, who, user, new_role)
                except MapAppError as exc:
                    survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
                    st.error(ctx.error_text(exc))
                    return
                _done("admin.users.role_changed", user=user, role=Message(f"role.{new_role}"))
        with st.form("admin_password"):
            st.subheader(ctx.tr("admin.users.password_heading"))
            user = st.selectbox(ctx.tr("admin.users.pick"), names, key="admin_password_user")
            if st.form_submit_button(ctx.tr("admin.users.password_submit"),
                                     key="admin_password_submit"):
                try:
                    new_password = reset_password(engine, who, user)
                except MapAppError as exc:
                    survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
                    st.error(ctx.error_text(exc))
                    return
                _done("admin.users.password_reset", new_password, user=user)
        with st.form("admin_active"):
            st.subheader(ctx.tr("admin.users.active_heading"))
            user = st.selectbox(ctx.tr("admin.users.pick"), names, key="admin_active_user")
            deactivate = st.form_submit_button(ctx.tr("admin.users.deactivate"),
                                               key="admin_deactivate")
            activate = st.form_submit_button(ctx.tr("admin.users.activate"), key="admin_activate")
            if deactivate or activate:
                try:
                    set_active(engine, who, user, bool(activate))
                except MapAppError as exc:
                    survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
                    st.error(ctx.error_text(exc))
                    return
                _done("admin.users.activated" if activate else "admin.users.deactivated", user=user)


# --- audit log ---------------------------------------------------------------------------------

def _local_midnight(day: date) -> datetime:
    return local_midnight(day)


def audit_csv(frame: pd.DataFrame) -> str:
    """The audit rows as CSV whose cells a spreadsheet shows as text (never as formulas)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    cols = ["id", "at", "username", "role", "action", "entity", "entity_id", "detail"]
    w.writerow(cols)
    for r in frame.to_dict("records"):
        at = r["at"]
        row: dict[str, Any] = dict(r)
        row["at"] = at.astimezone(LOCAL_ZONE).isoformat(timespec="seconds") if at else ""
        row["detail"] = json.dumps(r["detail"] or {}, ensure_ascii=False, sort_keys=True)
        w.writerow([csv_cell(row.get(c)) for c in cols])
    return buf.getvalue()


def _audit(engine: Engine, who: Principal) -> None:
    today = local_today()
    c1, c2, c3 = st.columns(3)
    start = c1.date_input(ctx.tr("admin.audit.from"), today - timedelta(days=30),
                          key="admin_audit_from", format="YYYY-MM-DD")
    end = c2.date_input(ctx.tr("admin.audit.to"), today, key="admin_audit_to",
                        format="YYYY-MM-DD")
    username = c3.text_input(ctx.tr("admin.audit.user"), key="admin_audit_user").strip()
    frame = audit.events(
        engine, who, since=_local_midnight(start) if isinstance(start, date) else None,
        until=_local_midnight(end) + timedelta(days=1) if isinstance(end, date) else None,
        username=username or None, limit=AUDIT_LIMIT)
    actions = sorted(frame["action"].dropna().unique().tolist())
    chosen = st.multiselect(ctx.tr("admin.audit.actions"), actions, key="admin_audit_actions")
    if chosen:
        frame = frame[frame["action"].isin(chosen)]
    st.caption(ctx.tr("admin.audit.count", n=len(frame)))
    if len(frame) >= AUDIT_LIMIT:
        st.warning(ctx.tr("admin.audit.limited", n=AUDIT_LIMIT))
    shown = frame.assign(
        at=pd.to_datetime(frame["at"], utc=True).dt.tz_convert(LOCAL_TZ)
        .dt.strftime("%Y-%m-%d %H:%M:%S"),
        detail=frame["detail"].map(
            lambda d: json.dumps(d or {}, ensure_ascii=False, sort_keys=True)),
    ).rename(columns={c: ctx.tr(f"admin.audit.col.{c}") for c in frame.columns})
    st.dataframe(shown, hide_index=True, use_container_width=True)
    filters = {"from": str(start), "to": str(end), "user": username or None,
               "actions": chosen or None}
    st.download_button(
        ctx.tr("admin.audit.download"), audit_csv(frame), file_name=f"audit-{today}.csv",
        mime="text/csv", key="admin_audit_download", on_click=_record_download,
        args=(engine, who, filters, len(frame)))


def _record_download(engine: Engine, who: Principal, filters: dict[str, Any], rows: int) -> None:
    with engine.begin() as conn:
        audit.record(conn, who, "export", "audit_log", None, filter=filters, rows=rows)


# --- retention ---------------------------------------------------------------------------------

def _retention(engine: Engine, who: Principal) -> None:
    default = ctx.get_settings().retention_years
    st.markdown(ctx.tr("admin.retention.explain", years=f"{default:g}"))
    years = st.number_input(ctx.tr("admin.retention.years"), min_value=0.5, max_value=100.0,
                            value=float(default), step=0.5, key="admin_retention_years")
    if st.button(ctx.tr("admin.retention.preview"), key="admin_retention_preview"):
        r = apply_retention(engine, who, older_than_years=years, dry_run=True, lang=ctx.lang())
        st.info(ctx.tr("admin.retention.dry_run_result", cutoff=r.cutoff.date().isoformat(),
                       observations=r.observations, notes=r.notes, photos=r.photos,
                       drafts=r.drafts))
    confirm = st.checkbox(ctx.tr("admin.retention.confirm"), key="admin_retention_confirm")
    if st.button(ctx.tr("admin.retention.apply"), type="primary", disabled=not confirm,
                 key="admin_retention_apply"):
        try:
            r = apply_retention(engine, who, older_than_years=years, lang=ctx.lang())
        except MapAppError as exc:
            survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
            st.error(ctx.error_text(exc))
            return
        st.success(ctx.tr("admin.retention.result", cutoff=r.cutoff.date().isoformat(),
                          observations=r.observations, notes=r.notes, photos=r.photos,
                       drafts=r.drafts))
