"""Åtgärder: the action plan. List and filter the measures, add and edit them (with every
problem shown beside its field), follow-up notes, links, the history of changes, before/after
counts and the revision reminders. Thin: every rule lives in :mod:`mapapp.measures`, which also
checks the role again. User text is shown through widgets and dataframes, never as HTML.

One read of the measures per rerun (filtered in memory by :func:`mapapp.measures.select_measures`);
the fields of a measure are in an ``st.form``, so typing does not rerun the page; problems are
shown beside their field (``Problem.field``) in the run that found them; a saved change is
announced after the rerun through :mod:`mapapp.ui.state`."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from mapapp import measures as ms
from mapapp.access import Perm, Principal
from mapapp.categories import MEASURE_STATUSES, PRIORITY_AREAS
from mapapp.categories import label as category_label
from mapapp.errors import DataValidationError, MapAppError, Problem
from mapapp.logs import survived
from mapapp.render.figures import change_text, verdict_text, wdd_rows, wdd_summary
from mapapp.textsafe import markdown_text
from mapapp.timezone import LOCAL_TZ, local_today
from mapapp.ui import context as ctx
from mapapp.ui import state
from mapapp.values import is_missing

log = logging.getLogger(__name__)

PERMISSION = Perm.VIEW_AGGREGATES
PAGE = "atgarder"
_PENDING = "atg_pending_select"
_DATE_MIN, _DATE_MAX = date(2000, 1, 1), date(2100, 12, 31)
_NOTE_FIELDS = ("note", "noted_on", "incident", "observation")


def render() -> None:
    who = ctx.require_principal()
    engine = ctx.get_engine()
    today = local_today()
    st.title(ctx.tr("measures.ui.title"))
    st.caption(ctx.tr("measures.ui.caption"))
    state.show_flash(PAGE, lang=ctx.lang())
    _revisions(today)
    everything = ms.list_measures(engine, who, today=today)  # the one read of the list
    actors = ms.list_actors(engine, who)
    shown = _filtered(everything, actors)
    can_edit = who.can(Perm.EDIT_MEASURES)
    if can_edit:
        with st.expander(ctx.tr("measures.ui.new"), icon=":material/add:",
                         expanded=bool(st.session_state.get("atg_new_open"))):
            _form(engine, who, None, actors)
    else:
        st.info(ctx.tr("measures.ui.read_only"))
    if shown.empty:
        return
    ids = shown["id"].astype(int).tolist()
    titles = dict(zip(ids, shown["title"], strict=True))
    pending = st.session_state.pop(_PENDING, None)
    if pending in ids:
        st.session_state["atg_select"] = pending
    mid = st.selectbox(ctx.tr("measures.ui.select"), ids, key="atg_select",
                       format_func=lambda i: f"#{i} {titles.get(i, '')}")
    if mid is None:
        return
    m = ms.get_measure(engine, who, int(mid), today=today)
    tabs = st.tabs([ctx.tr("measures.ui.tab_details"), ctx.tr("measures.ui.tab_followup"),
                    ctx.tr("measures.ui.tab_history"), ctx.tr("measures.ui.tab_before_after")])
    with tabs[0]:
        if can_edit:
            _form(engine, who, m, actors)
        else:
            _details(m)
    with tabs[1]:
        _followup(engine, who, m, can_edit)
    with tabs[2]:
        _history(engine, who, int(mid))
    with tabs[3]:
        _before_after(engine, who, m)


# --- list ------------------------------------------------------------------------------------

def _status_label(code: Any) -> str:
    return ms.status_label(code, lang=ctx.lang())


def _all(v: Any) -> str:
    return ctx.tr("measures.ui.all") if v is None else str(v)


def _revisions(today: date) -> None:
    flags = ms.revision_flags(ctx.zones(), today)
    flagged = flags[flags["flagged"]]
    with st.expander(f"{ctx.tr('measures.ui.revisions')} ({len(flagged)})",
                     expanded=not flagged.empty, icon=":material/event_repeat:"):
        if flagged.empty:
            st.caption(ctx.tr("measures.ui.no_revisions"))
        for row in flagged.to_dict("records"):
            st.warning(markdown_text(f"{row['zone']}: "
                                     + ms.reason_text(row["reasons"], lang=ctx.lang())),
                       icon=":material/update:")


def _filtered(everything: pd.DataFrame, actors: list[str]) -> pd.DataFrame:
    st.subheader(ctx.tr("measures.ui.filters"))
    cols = st.columns([2, 1, 2, 2, 1])
    zones = [None, *ctx.zones()["name"].tolist()]
    zone = cols[0].selectbox(ctx.tr("measures.field.zone"), zones, key="atg_f_zone",
                             format_func=_all)
    status = cols[1].selectbox(ctx.tr("measures.field.status"), [None, *MEASURE_STATUSES],
                               key="atg_f_status",
                               format_func=lambda s: _all(s) if s is None else _status_label(s))
    actor_options = sorted(set(actors) | set(everything["actor"]), key=ms.sv_key)
    actor = cols[2].selectbox(ctx.tr("measures.field.actor"), [None, *actor_options],
                              key="atg_f_actor", format_func=_all)
    area = cols[3].selectbox(ctx.tr("measures.field.priority_area"), [None, *PRIORITY_AREAS],
                             key="atg_f_priority", format_func=_all)
    overdue = cols[4].checkbox(ctx.tr("measures.ui.only_overdue"), key="atg_f_overdue")
    shown = ms.select_measures(everything, zone=zone, status=status, actor=actor,
                               priority_area=area, overdue=True if overdue else None)
    st.caption(ctx.tr("measures.ui.count", n=len(shown), total=len(everything)) + " · "
               + ctx.tr("measures.ui.n_overdue", n=int(shown["overdue"].sum())))
    if shown.empty:
        st.info(ctx.tr("measures.ui.empty"))
        return shown
    table = pd.DataFrame({
        ctx.tr("measures.field.id"): shown["id"],
        ctx.tr("measures.field.zone"): shown["zone"],
        ctx.tr("measures.field.site"): shown["site"],
        ctx.tr("measures.field.title"): shown["title"],
        ctx.tr("measures.field.actor"): shown["actor"],
        ctx.tr("measures.field.status"): shown["status"].map(_status_label),
        ctx.tr("measures.field.priority_area"): shown["priority_area"],
        ctx.tr("measures.field.start"): shown["start"].map(_iso),
        ctx.tr("measures.field.due"): shown["due"].map(_iso),
        ctx.tr("measures.field.next_followup"): shown["next_followup"].map(_iso),
        ctx.tr("measures.field.overdue"): shown["overdue"].map(
            lambda o: "⚠ " + ctx.tr("measures.ui.yes") if o else ""),
    })
    st.dataframe(table, hide_index=True, width="stretch", key="atg_table")
    return shown


def _iso(v: Any) -> str:
    return v.isoformat() if isinstance(v, date) else ""


# --- problems beside their fields ----------------------------------------------------------------

class _Problems:
    """A place under each field of a form; after a failed save the problems of each field are
    written into its place (in this run: the page keeps no error store)."""

    def __init__(self) -> None:
        self.slots: dict[str | None, Any] = {None: st.empty()}

    def slot(self, field: str) -> None:
        self.slots[field] = st.empty()

    def show(self, problems: list[Problem]) -> None:
        lang = ctx.lang()
        by_field: dict[str | None, list[str]] = {}
        for p in problems:
            where = p.field if p.field in self.slots else None
            by_field.setdefault(where, []).append(p.text(lang))
        for where, texts in by_field.items():
            lines = ([ctx.tr("measures.err.summary")] if where is None else []) + texts
            with self.slots[where].container():
                for text in lines:
                    st.error(markdown_text(text), icon=":material/error:")
        if None not in by_field:
            self.slots[None].error(ctx.tr("measures.err.summary"), icon=":material/error:")


def _index(options: list[Any], value: Any) -> int | None:
    return options.index(value) if value in options else None


def _form(engine: Engine, who: Principal, m: dict[str, Any] | None, actors: list[str]) -> None:
    """The fields of a measure; a new one when ``m`` is None. The zone is chosen outside the
    form (it decides which sites are offered); everything else is sent with the save button."""
    prefix = "atg_new" if m is None else state.key("atg_edit", m["id"])
    cur = m or {}
    zones = ctx.zones()["name"].tolist()
    problems = _Problems()
    zone = st.selectbox(ctx.tr("measures.field.zone"), zones, key=f"{prefix}_zone",
                        index=_index(zones, cur.get("zone")),
                        placeholder=ctx.tr("measures.ui.choose"))
    problems.slot("zone")
    with st.form(f"{prefix}_form", border=False, enter_to_submit=False):
        left, right = st.columns(2)
        with left:
            sites = ctx.sites()
            in_zone = sorted(set(sites.loc[sites["zone"] == zone, "name"].astype(str))
                             | ({cur["site"]} if cur.get("site") else set()), key=ms.sv_key)
            site = st.selectbox(ctx.tr("measures.field.site"), [None, *in_zone],
                                key=f"{prefix}_site",
                                index=_index([None, *in_zone], cur.get("site")),
                                format_func=lambda s: ctx.tr("measures.ui.no_site") if s is None
                                else s)
            problems.slot("site")
            cell = st.text_input(ctx.tr("measures.field.cell_id"), value=cur.get("cell_id") or "",
                                 key=f"{prefix}_cell", placeholder="100m-E669300-N6575400")
            problems.slot("cell_id")
            title = st.text_input(ctx.tr("measures.field.title"), value=cur.get("title") or "",
                                  key=f"{prefix}_title", max_chars=ms.MAX_TITLE)
            problems.slot("title")
            description = st.text_area(ctx.tr("measures.field.description"),
                                       value=cur.get("description") or "", key=f"{prefix}_desc",
                                       help=ctx.tr("measures.warn.names"))
            problems.slot("description")
            for warning in ms.personal_data_warnings(cur.get("description"), lang=ctx.lang()):
                st.warning(warning)
        with right:
            area = st.selectbox(ctx.tr("measures.field.priority_area"), list(PRIORITY_AREAS),
                                key=f"{prefix}_priority",
                                index=_index(list(PRIORITY_AREAS), cur.get("priority_area")),
                                placeholder=ctx.tr("measures.ui.choose"))
            problems.slot("priority_area")
            actor_options = sorted(set(actors) | ({cur["actor"]} if cur.get("actor") else set()),
                                   key=ms.sv_key)
            actor = st.selectbox(ctx.tr("measures.field.actor"), actor_options,
                                 key=f"{prefix}_actor", index=_index(actor_options, cur.get("actor")),
                                 placeholder=ctx.tr("measures.ui.choose"))
            problems.slot("actor")
            status = st.selectbox(ctx.tr("measures.field.status"), list(MEASURE_STATUSES),
                                  key=f"{prefix}_status", format_func=_status_label,
                                  index=_index(list(MEASURE_STATUSES),
                                               cur.get("status", "planerad")))
            problems.slot("status")
            dates = {}
            for field in ms.DATE_FIELDS:
                dates[field] = st.date_input(ctx.tr(f"measures.field.{field}"),
                                             value=cur.get(field), key=f"{prefix}_{field}",
                                             min_value=_DATE_MIN, max_value=_DATE_MAX,
                                             format="YYYY-MM-DD")
                problems.slot(field)
        label = ctx.tr("measures.ui.save_new" if m is None else "measures.ui.save")
        saved = st.form_submit_button(label, key=f"{prefix}_save", type="primary")
    if saved:
        values: dict[str, Any] = {"zone": zone, "site": site, "cell_id": cell, "title": title,
                                  "description": description, "priority_area": area,
                                  "actor": actor, "status": status, **dates}
        _save(engine, who, m, prefix, values, problems)


def _save(engine: Engine, who: Principal, m: dict[str, Any] | None, prefix: str,
          values: dict[str, Any], problems: _Problems) -> None:
    try:
        if m is None:
            mid = ms.add_measure(engine, who, **values)
        else:
            mid = int(m["id"])
            if not ms.update_measure(engine, who, mid, **values):
                st.info(ctx.tr("measures.ui.nothing_changed"))
                return
    except DataValidationError as exc:
        survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
        if m is None:
            st.session_state["atg_new_open"] = True
        problems.show(exc.problems)
        return
    if m is None:
        state.clear(prefix)
        st.session_state[_PENDING] = mid
    state.flash(PAGE, "measures.ui.saved", id=mid)
    st.rerun()


def _details(m: dict[str, Any]) -> None:
    rows = [(ctx.tr(f"measures.field.{f}"), _status_label(m[f]) if f == "status"
             else _iso(m[f]) if f in ms.DATE_FIELDS else m.get(f))
            for f in ms.FIELDS]
    rows.append((ctx.tr("measures.field.overdue"), ctx.tr("measures.ui.yes") if m["overdue"]
                 else ""))
    st.dataframe(pd.DataFrame(rows, columns=[ctx.tr("measures.ui.col_field"),
                                             ctx.tr("measures.ui.col_value")]).astype(str),
                 hide_index=True,
                 width="stretch")


# --- follow-up, links, history ---------------------------------------------------------------

def _followup(engine: Engine, who: Principal, m: dict[str, Any], can_edit: bool) -> None:
    mid = int(m["id"])
    if m["notes"]:
        st.dataframe(pd.DataFrame({
            ctx.tr("measures.field.noted_on"): [_iso(n["noted_on"]) for n in m["notes"]],
            ctx.tr("measures.field.author_role"): [ctx.tr(f"role.{n['author_role']}")
                                                   for n in m["notes"]],
            ctx.tr("measures.field.note"): [n["text"] for n in m["notes"]],
        }), hide_index=True, width="stretch")
    else:
        st.caption(ctx.tr("measures.ui.no_notes"))
    if can_edit:
        _note_form(engine, who, mid)
    _links(engine, who, m, can_edit)


def _note_form(engine: Engine, who: Principal, mid: int) -> None:
    prefix = state.key("atg_note", mid)
    with st.form(f"{prefix}_form", border=False, enter_to_submit=False):
        text = st.text_area(ctx.tr("measures.field.note"), key=f"{prefix}_text",
                            help=ctx.tr("measures.warn.names"))
        problems = _Problems()
        problems.slot("note")
        day = st.date_input(ctx.tr("measures.field.noted_on"), value=local_today(),
                            key=f"{prefix}_date", format="YYYY-MM-DD")
        problems.slot("noted_on")
        saved = st.form_submit_button(ctx.tr("measures.ui.add_note"), key=f"{prefix}_save")
    if not saved:
        return
    for warning in ms.personal_data_warnings(text, lang=ctx.lang()):
        st.warning(warning)
    try:
        ms.add_note(engine, who, mid, text, day)
    except DataValidationError as exc:
        survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
        problems.show(exc.problems)
        return
    state.clear(prefix)
    state.flash(PAGE, "measures.ui.note_saved")
    st.rerun()


def _links(engine: Engine, who: Principal, m: dict[str, Any], can_edit: bool) -> None:
    st.subheader(ctx.tr("measures.ui.links"))
    if m["links"]:
        st.dataframe(pd.DataFrame({
            ctx.tr("measures.field.id"): [lk["id"] for lk in m["links"]],
            ctx.tr("measures.ui.link_kind"): [ctx.tr(f"measures.field.{lk['kind']}")
                                              for lk in m["links"]],
            ctx.tr("measures.ui.link_category"): [
                category_label(lk["kind"], lk["category"], lang=ctx.lang()) for lk in m["links"]],
            ctx.tr("measures.ui.hist_at"): [
                "" if lk["occurred_at"] is None else pd.Timestamp(lk["occurred_at"])
                .tz_convert(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") for lk in m["links"]],
        }), hide_index=True, width="stretch")
    else:
        st.caption(ctx.tr("measures.ui.no_links"))
    if not can_edit:
        return
    prefix = state.key("atg_link", m["id"])
    with st.form(f"{prefix}_form", border=False, enter_to_submit=False):
        cols = st.columns(2)
        raw = {kind: cols[i].text_input(ctx.tr(f"measures.field.{kind}"), key=f"{prefix}_{kind}",
                                        placeholder=ctx.tr("measures.ui.link_ids"))
               for i, kind in enumerate(("incident", "observation"))}
        problems = _Problems()
        saved = st.form_submit_button(ctx.tr("measures.ui.add_links"), key=f"{prefix}_save")
    if not saved:
        return
    try:
        ids = {kind: ms.ids_from_text(text, kind) for kind, text in raw.items()}
        n = ms.link_points(engine, who, int(m["id"]), incidents=ids["incident"],
                           observations=ids["observation"])
    except DataValidationError as exc:
        survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
        problems.show(exc.problems)
        return
    except MapAppError as exc:
        survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
        st.error(markdown_text(exc.text(ctx.lang())))
        return
    state.clear(prefix)
    state.flash(PAGE, "measures.cli.linked", id=m["id"], n=n)
    st.rerun()


def _history(engine: Engine, who: Principal, mid: int) -> None:
    hist = ms.history(engine, who, mid)
    if hist.empty:
        st.caption(ctx.tr("measures.ui.no_history"))
        return

    def value(field: Any, v: Any) -> str:
        if is_missing(v):
            return ""
        return _status_label(v) if field == "status" else str(v)

    table = pd.DataFrame({
        ctx.tr("measures.ui.hist_at"): hist["at"].map(lambda a: a.strftime("%Y-%m-%d %H:%M")),
        ctx.tr("measures.ui.hist_action"): hist["action"].map(
            lambda a: ctx.tr(f"measures.hist.{a}") if a in ("create", "update", "note", "link")
            else a),
        ctx.tr("measures.ui.hist_role"): hist["role"].map(lambda r: ctx.tr(f"role.{r}")),
        ctx.tr("measures.ui.hist_field"): hist["field"].map(
            lambda f: ctx.tr(f"measures.field.{f}") if isinstance(f, str) else ""),
        ctx.tr("measures.ui.hist_old"): [value(f, v) for f, v in zip(hist["field"], hist["old"],
                                                                    strict=True)],
        ctx.tr("measures.ui.hist_new"): [value(f, v) for f, v in zip(hist["field"], hist["new"],
                                                                    strict=True)],
    })
    if who.can(Perm.VIEW_AUDIT):
        table.insert(3, ctx.tr("measures.ui.hist_user"), hist["username"])
    st.dataframe(table, hide_index=True, width="stretch")


# --- before/after ----------------------------------------------------------------------------

def _before_after(engine: Engine, who: Principal, m: dict[str, Any]) -> None:
    if m["start"] is None:
        st.info(ctx.tr("measures.ui.ba_no_start"))
        return
    months = st.number_input(ctx.tr("measures.ui.ba_months"), min_value=1, max_value=24,
                             value=6, step=1, key=f"atg_ba_months_{m['id']}")
    settings = ctx.get_settings()
    radius = settings.site_radius_m
    points = ctx.all_points()
    r = ms.before_after(engine, who, int(m["id"]), months=int(months), radius_m=radius,
                        buffer_m=settings.wdd_buffer_m, confidence=settings.confidence_level,
                        points=points, sites=ctx.sites(), measure=m)
    lang = ctx.lang()
    place_key = "measures.ui.ba_place_site" if r["place_kind"] == "site" else \
        "measures.ui.ba_place_zone"
    st.caption(ctx.tr(place_key, r=f"{radius:g}", place=markdown_text(r["place"])))
    st.caption(ctx.tr("measures.ui.ba_windows", b0=r["before_start"], b1=r["before_end"],
                      label=ctx.tr(f"wdd.comparison.{r['comparison']}"), a0=r["after_start"],
                      a1=r["after_end"]))
    c = st.columns(3)
    c[0].metric(ctx.tr("measures.ui.ba_before"), r["before"])
    c[1].metric(ctx.tr("measures.ui.ba_after"), r["after"])
    # An arrow only for a significant change (two-sample Poisson test).
    c[2].metric(ctx.tr("measures.ui.ba_change"),
                change_text(r["change"], r["change_pct"], r["trend"], lang=lang) or "–")
    verdict = verdict_text(r, lang=lang)
    if r["verdict"] == "effect":
        st.success(verdict, icon=":material/check_circle:")
    elif r["verdict"] in ("too_few", "incomplete"):
        st.warning(verdict)
    else:
        st.info(verdict)
    summary = wdd_summary(r, lang=lang)
    if summary:
        st.caption(summary)
    head, rows = wdd_rows(r, lang=lang)
    st.dataframe(pd.DataFrame(rows, columns=head), hide_index=True, width="stretch")
    st.caption(ctx.tr("wdd.explain"))
    chart = pd.DataFrame(
        {ctx.tr(f"measures.ui.kind_{k}"): [r["by_kind"][k]["before"], r["by_kind"][k]["after"]]
         for k in ("incident", "observation")},
        index=[f"1 {ctx.tr('measures.ui.ba_before')}", f"2 {ctx.tr('measures.ui.ba_after')}"])
    st.bar_chart(chart, height=220, stack=True)
