"""The observation form of the tablet page: nothing lost, nothing twice.

- The form's submission id (uuid4) is made when the form opens and kept in the session and in
  the URL (``?vandring=<id>&utkast=<submission id>``); it is renewed only after a save that
  the database confirmed.
- Every change is kept server-side as a draft (:func:`mapapp.walks.save_draft`), so a reload,
  a lost connection or a new log-in brings the form back with the same submission id -- a save
  after that cannot make a second row.
- Widgets are keyed by the submission id: a saved form gets fresh, empty widgets, and a second
  tap on the old "Spara" button targets a button that no longer exists.
- "Sparad" is shown only after :func:`mapapp.walks.save_observation` returned (after the
  commit), and it stays -- through a second tap of a double tap and any other rerun -- until
  the team starts on the next observation (any field of the fresh form set). A failed save
  keeps the form filled and says why.
- The team's last saved observations are listed under the form (number, category, time,
  place), so the team can always see what reached the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mapapp import categories as cats
from mapapp import walks
from mapapp.access import Principal
from mapapp.errors import DataValidationError, MapAppError
from mapapp.logs import survived
from mapapp.notecheck import NOTE_MAX_CHARS, check_note
from mapapp.photos import clean_photo
from mapapp.store.points import PointFilter, load_points
from mapapp.ui import context as ctx
from mapapp.ui.vandring_followup import md
from mapapp.ui.vandring_geo import geolocation_button
from mapapp.ui.vandring_map import near_sites, walk_map

log = logging.getLogger(__name__)

MAP_HEIGHT = 460
RATING_VALUES = (0, 1, 2, 3)
RECENT = 5  # the team's last saved observations listed under the form


def _k(name: str, sid: str) -> str:
    return f"vf_{name}_{sid}"


def _started(form: dict[str, Any]) -> bool:
    """Has the team started on this form (any field set)?"""
    return any(form.get(k) for k in ("category", "lon", "note", "photo", "ratings"))


def _new_form() -> dict[str, Any]:
    return {"sid": str(uuid.uuid4()), "category": None, "lon": None, "lat": None,
            "accuracy_m": None, "site_id": None, "how": None, "ratings": {}, "note": "",
            "photo": None, "photo_mime": None}


def _form(who: Principal, wid: int) -> dict[str, Any]:
    """The open form of this walk: from the session, else the draft (the URL's, else the
    newest of this user and walk), else a new one."""
    key = f"vf_form_{wid}"
    if key not in st.session_state:
        want = st.query_params.get("utkast")
        draft = walks.load_draft(ctx.get_engine(), who, wid, want) if want else None
        draft = draft or walks.load_draft(ctx.get_engine(), who, wid)
        form = _new_form()
        if draft is not None:
            form.update({k: draft.data.get(k, form[k]) for k in walks.DRAFT_FIELDS})
            form.update(sid=draft.submission_id, photo=draft.photo, photo_mime=draft.photo_mime,
                        ratings=dict(draft.data.get("ratings") or {}))
            st.session_state[f"vf_restored_{wid}"] = True
        st.session_state[key] = form
        st.session_state[f"vf_draftsig_{wid}"] = _signature(form) if draft else None
    return st.session_state[key]  # type: ignore[no-any-return]


def _signature(form: dict[str, Any]) -> str:
    data = {k: form.get(k) for k in walks.DRAFT_FIELDS}
    photo = hashlib.sha256(form["photo"]).hexdigest() if form.get("photo") else None
    return json.dumps([data, photo], sort_keys=True, default=str)


def _keep_draft(who: Principal, wid: int, form: dict[str, Any]) -> None:
    """Write the draft when the form changed since the last write (and is not empty)."""
    sig = _signature(form)
    empty = not any(form.get(k) for k in ("category", "lon", "note", "photo", "ratings"))
    if sig == st.session_state.get(f"vf_draftsig_{wid}") or empty:
        return
    try:
        walks.save_draft(ctx.get_engine(), who, walk_id=wid, submission_id=form["sid"],
                         data={k: form.get(k) for k in walks.DRAFT_FIELDS},
                         photo=form.get("photo"), photo_mime=form.get("photo_mime"))
        st.session_state[f"vf_draftsig_{wid}"] = sig
    except Exception as exc:  # a draft that could not be written is tried again on the next change
        survived(log, exc, "walk draft not written (user %s, walk %s); tried again on the next "
                 "change", who.username, wid)
        st.session_state[f"vf_draftsig_{wid}"] = None


def _set_position(form: dict[str, Any], lon: float, lat: float, how: str,
                  accuracy: float | None = None, site_id: int | None = None) -> None:
    form.update(lon=float(lon), lat=float(lat), how=how, accuracy_m=accuracy, site_id=site_id)


def _known_places() -> list[str]:
    return [str(n) for df in (ctx.sites(), ctx.zones(), ctx.stadsdelar()) for n in df["name"]]


def _position_text(form: dict[str, Any], site_names: dict[int, str]) -> str:
    if form.get("lon") is None:
        return ctx.tr("walks.ui.pos_none")
    if form.get("how") == "gps":
        return ctx.tr("walks.ui.pos_gps", m=f"{form['accuracy_m']:.0f}")
    if form.get("how") == "site" and form.get("site_id") is not None:
        return ctx.tr("walks.ui.pos_site", site=site_names.get(int(form["site_id"]), "?"))
    return ctx.tr("walks.ui.pos_map", lat=f"{form['lat']:.5f}", lon=f"{form['lon']:.5f}")


# --- position: GPS, site, map ------------------------------------------------------------------

def _position_controls(form: dict[str, Any], walk: walks.WalkInfo) -> None:
    settings = ctx.get_settings()
    sid = form["sid"]
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    with c1:
        fix = geolocation_button(f"vf_geo_{walk.id}", label=ctx.tr("walks.ui.my_position"),
                                 searching=ctx.tr("walks.ui.searching"))
    if fix is not None:
        acc = fix.get("accuracy")
        if fix.get("error") or acc is None:
            st.warning(ctx.tr("walks.ui.geo_error"))
        elif float(acc) > settings.geolocation_max_accuracy_m:
            st.error(ctx.tr("walks.ui.geo_refused", m=f"{float(acc):.0f}",
                            max=f"{settings.geolocation_max_accuracy_m:.0f}"))
        else:
            _set_position(form, fix["lon"], fix["lat"], "gps", accuracy=float(acc))
    around = (form["lon"], form["lat"]) if form.get("lon") is not None else None
    near = near_sites(ctx.sites(), walk.zone_id, around)
    labels = {int(r.id): (f"{r.name} ({r.distance_m:.0f} m)" if pd.notna(r.distance_m)
                          else str(r.name)) for r in near.itertuples(index=False)}
    with c2:
        s1, s2 = st.columns([3, 1], vertical_alignment="bottom")
        choice = s1.selectbox(ctx.tr("walks.ui.site"), list(labels), index=None,
                              format_func=lambda i: labels.get(i, str(i)),
                              placeholder=ctx.tr("walks.ui.site_placeholder"),
                              key=_k("site", sid))
        if s2.button(ctx.tr("walks.ui.site_pick"), key=_k("site_btn", sid),
                     disabled=choice is None, use_container_width=True) and choice is not None:
            row = near[near["id"] == choice].iloc[0]
            _set_position(form, row["lon"], row["lat"], "site", site_id=int(choice))


def _map(form: dict[str, Any], walk: walks.WalkInfo, obs: pd.DataFrame) -> None:
    settings = ctx.get_settings()
    zones = ctx.zones()
    zone = zones.loc[zones["id"] == walk.zone_id, "geometry"]
    sites = ctx.sites()
    m = walk_map(
        zone=zone.iloc[0] if len(zone) else None, observations=obs,
        pending=(form["lon"], form["lat"]) if form.get("lon") is not None else None,
        pending_accuracy=form.get("accuracy_m"), route=walks.walk_route(ctx.get_engine(), walk.id),
        sites=sites[sites["zone_id"] == walk.zone_id] if walk.zone_id is not None else None,
        base=ctx.stadsdelar(), basemap=settings.basemap,
        attribution=settings.basemap_attribution, lang=ctx.lang())
    out = st_folium(m, key=f"vmap_{walk.id}", height=MAP_HEIGHT, use_container_width=True,
                    returned_objects=["last_clicked"])
    click = (out or {}).get("last_clicked")
    seen = f"vf_lastclick_{walk.id}"
    if click and click != st.session_state.get(seen):
        st.session_state[seen] = click
        _set_position(form, click["lng"], click["lat"], "map")
        st.rerun()  # draw the new position (the draft is written on that run)
    if click:
        st.session_state[seen] = click


# --- the fields ----------------------------------------------------------------------------------

def _fields(form: dict[str, Any], *, lang: str) -> None:
    sid = form["sid"]
    codes = [c.code for c in cats.OBSERVATION_CATEGORIES]
    form["category"] = st.pills(
        ctx.tr("walks.ui.category"), codes, default=form.get("category"),
        format_func=lambda c: cats.label("observation", c, lang=lang), key=_k("cat", sid))
    st.markdown(f"**{ctx.tr('walks.ui.ratings')}**")
    ratings: dict[str, int] = {}
    for key in cats.RATING_KEYS:
        v = st.segmented_control(
            ctx.tr(f"walks.rating.{key}"), RATING_VALUES,
            default=(form.get("ratings") or {}).get(key), key=_k(f"r_{key}", sid))
        if v is not None:
            ratings[key] = int(v)
    form["ratings"] = ratings
    note = st.text_area(ctx.tr("walks.ui.note"), value=form.get("note") or "",
                        max_chars=NOTE_MAX_CHARS, height=110, key=_k("note", sid),
                        placeholder=ctx.tr("walks.ui.note_placeholder"))
    form["note"] = note or ""
    st.caption(ctx.tr("walks.note.reminder"))
    findings = check_note(form["note"], lang=lang, known_places=_known_places())
    for f in findings:
        (st.error if f.severity == "block" else st.warning)(f.message)
    warned = f"vf_warned_{sid}"
    st.session_state[f"{warned}_prev"] = st.session_state.get(warned)
    st.session_state[warned] = form["note"] if findings else None
    _photo(form, lang=lang)


def _photo(form: dict[str, Any], *, lang: str) -> None:
    sid = form["sid"]
    if form.get("photo"):
        st.image(form["photo"], width=220, caption=ctx.tr("walks.ui.photo_kept"),
                 alt=ctx.tr("walks.ui.photo_alt"))
        if st.button(ctx.tr("walks.ui.photo_remove"), key=_k("photo_rm", sid)):
            form["photo"] = form["photo_mime"] = None
            st.rerun()
        return
    with st.expander(ctx.tr("walks.ui.photo"), expanded=False):
        shot = None
        if st.toggle(ctx.tr("walks.ui.camera"), key=_k("cam_on", sid)):
            shot = st.camera_input(ctx.tr("walks.ui.camera"), key=_k("cam", sid),
                                   label_visibility="collapsed")
        upload = st.file_uploader(ctx.tr("walks.ui.upload"), type=["jpg", "jpeg", "png"],
                                  key=_k("upload", sid))
        raw = shot or upload
        if raw is not None:
            try:
                clean = clean_photo(raw.getvalue(), max_bytes=ctx.get_settings().photo_max_bytes,
                                    lang=lang)
            except DataValidationError as exc:
                survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
                st.error(ctx.error_text(exc))
                return
            form["photo"], form["photo_mime"] = clean.data, clean.mime  # never the original
            st.rerun()


# --- saving --------------------------------------------------------------------------------------

def _save(who: Principal, walk: walks.WalkInfo, form: dict[str, Any], *, lang: str) -> None:
    sid = form["sid"]
    if not _started(form):
        # An empty form. Right after a save this is the second tap of a double tap, landing
        # on the fresh form: "Sparad" stays and says it all.
        if st.session_state.get(f"vf_flash_{walk.id}") is None:
            st.info(ctx.tr("walks.ui.empty_form"))
        return
    warned_before = st.session_state.get(f"vf_warned_{sid}_prev")
    if form["note"] and check_note(form["note"], lang=lang, known_places=_known_places()) \
            and warned_before != form["note"]:
        # The warnings appeared in this very run: let the user read them first.
        st.warning(ctx.tr("walks.ui.read_warnings"))
        return
    try:
        oid, created = walks.save_observation(
            ctx.get_engine(), who, submission_id=sid, walk_id=walk.id,
            category=form.get("category") or "", lon=form.get("lon"), lat=form.get("lat"),
            accuracy_m=form.get("accuracy_m"), site_id=form.get("site_id"),
            ratings=form.get("ratings"), note=form.get("note"), photo=form.get("photo"),
            settings=ctx.get_settings(), known_places=_known_places(), lang=lang)
    except MapAppError as exc:
        survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
        st.error(ctx.tr("walks.ui.not_saved") + "\n\n" + ctx.error_text(exc))
        return
    # Committed: only now the form is renewed and "Sparad" shown.
    new = _new_form()
    st.session_state[f"vf_form_{walk.id}"] = new
    st.session_state[f"vf_draftsig_{walk.id}"] = None
    st.session_state[f"vf_flash_{walk.id}"] = (oid, created)
    st.query_params["utkast"] = new["sid"]
    st.rerun()


def _flash(slot: Any, wid: int, form: dict[str, Any]) -> None:
    """"Sparad (observation nr N)" in ``slot`` while the fresh form is untouched; once the team
    starts on the next observation it goes (the form's own state is then what matters)."""
    key = f"vf_flash_{wid}"
    flash = st.session_state.get(key)
    if flash is None:
        return
    if _started(form):
        del st.session_state[key]
        slot.empty()
        return
    with slot.container(key="vandring_saved"):
        st.success(ctx.tr("walks.ui.saved" if flash[1] else "walks.ui.saved_before",
                          id=flash[0]), icon=":material/check_circle:")


def _recent(obs: pd.DataFrame, *, lang: str) -> None:
    """The team's last saved observations (newest first), read from the store."""
    if not len(obs):
        return
    st.markdown(f"**{md(ctx.tr('walks.ui.recent'))}**")
    rows = obs.sort_values("id", ascending=False).head(RECENT)
    lines = []
    for r in rows.itertuples(index=False):
        when = pd.Timestamp(r.occurred_at).tz_convert("Europe/Stockholm")
        lines.append("- " + md(ctx.tr(
            "walks.ui.recent_row", id=int(r.id),
            category=cats.label("observation", str(r.category), lang=lang),
            time=f"{when:%H:%M}", place=str(r.stadsdel or r.zone or "–"))))
    with st.container(key="vandring_recent"):
        st.markdown("\n".join(lines))


def render_form(who: Principal, walk: walks.WalkInfo) -> None:
    """Map + position on one side, the form on the other (stacked on a portrait tablet)."""
    lang = ctx.lang()
    form = _form(who, walk.id)
    if st.query_params.get("utkast") != form["sid"]:
        st.query_params["utkast"] = form["sid"]
    if st.session_state.pop(f"vf_restored_{walk.id}", False):
        st.info(ctx.tr("walks.ui.restored"), icon=":material/restore:")
    obs = load_points(ctx.get_engine(), who, "observation", PointFilter(walk_id=walk.id))
    site_names = dict(zip(ctx.sites()["id"].astype(int), ctx.sites()["name"], strict=True))
    with st.container(key="vandring_main"):
        left, right = st.columns([3, 2], gap="medium")
        with left:
            _position_controls(form, walk)
            _map(form, walk, obs)
            st.markdown(f"**{ctx.tr('walks.ui.position')}:** "
                        f"{md(_position_text(form, site_names))}")
        with right, st.container(key="vandring_form"):
            st.subheader(ctx.tr("walks.ui.new_obs"), anchor=False)
            _fields(form, lang=lang)
            b1, b2 = st.columns([3, 2])
            save = b1.button(ctx.tr("walks.ui.save"), key=_k("save", form["sid"]),
                             type="primary", use_container_width=True,
                             icon=":material/save:")
            if b2.button(ctx.tr("walks.ui.clear"), key=_k("clear", form["sid"]),
                         use_container_width=True):
                walks.discard_draft(ctx.get_engine(), who, form["sid"])
                st.session_state[f"vf_form_{walk.id}"] = new = _new_form()
                st.query_params["utkast"] = new["sid"]
                st.rerun()
            # "Sparad" right under the button the team tapped, filled at the end of the run
            flash_slot = st.empty()
            if save:
                _save(who, walk, form, lang=lang)
            _recent(obs, lang=lang)
    _flash(flash_slot, walk.id, form)
    _keep_draft(who, walk.id, form)
    st.session_state[f"vf_obs_count_{walk.id}"] = len(obs)
