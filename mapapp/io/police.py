"""The Swedish Police open events API (``https://polisen.se/api/events``), as a saved JSON file.

An event is ``{id, datetime, name, summary, url, type, location: {name, gps}}``.

Never ``location.gps``
    It is the centroid of the municipality or county (every Stockholm event sits at
    59.329324,18.068581 or at the county's 59.602496,18.138438), never where the event was.
    An event is placed only where its ``name`` or ``summary`` names a place of the district
    found in the :class:`Gazetteer` -- a stadsdel, a station, a school, a centre, a named
    address or a street -- at that place, with ``precision = "place-name"`` and the name in
    ``place_name``. More specific places win (site > street > stadsdel); two different places
    of the same rank leave the event unplaced.
Which events
    The municipality is the last part of ``name`` ("22 augusti 03.47, Misshandel,
    Stockholm"), since ``location.name`` may be the county ("Stockholms län"). Events of
    Stockholm municipality are kept: placed, or unplaced (``lon``/``lat`` empty, ``precision
    = "unplaced"``, counted, never drawn). County-wide events ("…, Stockholms län") are kept
    only when they name a district place. Events of other municipalities are skipped and
    counted.
Time
    ``occurred_at`` is the time in ``name`` ("22 augusti 17.59", Europe/Stockholm, the year of
    ``datetime`` or the one before when the day lies after publication); else ``datetime``,
    whose hour is unpadded ("2026-08-22 7:32:06 +02:00").
Identity
    ``source = "polisen"``, ``external_id`` = the event id: importing a newer response adds
    only the events not stored yet.

Type -> category (:data:`TYPE_CATEGORY`; every other type keeps its own name as category text):

| Police ``type`` | category |
|---|---|
| Narkotikabrott | narkotikabrott |
| Skadegörelse | skadegorelse |
| Inbrott; Inbrott, försök; Stöld/inbrott | inbrott |
| Stöld; Stöld, försök; Stöld, ringa; Motorfordon, stöld | stold |
| Ofredande/förargelse; Bråk; Fylleri; Fylleri/LOB; Ordningslagen; Ofog barn/ungdom | ordningsstorning |
| Övrigt | ovrigt |

Not mapped on purpose: "Misshandel" (the type does not tell public from domestic violence, and
våld i nära relation must never become a point), "Rån" (shop or person), "Bedrägeri" (not only
against the elderly).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import Message
from mapapp.io.validate import PointsInput
from mapapp.settings import GEO_DIR

SOURCE = "polisen"
MUNICIPALITY = "Stockholm"
COUNTY = "Stockholms län"
GAZETTEER_FILE = "gazetteer.json"
TYPE_CATEGORY: dict[str, str] = {
    "Narkotikabrott": "narkotikabrott",
    "Skadegörelse": "skadegorelse",
    "Inbrott": "inbrott",
    "Inbrott, försök": "inbrott",
    "Stöld/inbrott": "inbrott",
    "Stöld": "stold",
    "Stöld, försök": "stold",
    "Stöld, ringa": "stold",
    "Motorfordon, stöld": "stold",
    "Ofredande/förargelse": "ordningsstorning",
    "Bråk": "ordningsstorning",
    "Fylleri": "ordningsstorning",
    "Fylleri/LOB": "ordningsstorning",
    "Ordningslagen": "ordningsstorning",
    "Ofog barn/ungdom": "ordningsstorning",
    "Övrigt": "ovrigt",
}
RANK = {"address": 0, "school": 0, "centre": 0, "station": 0, "street": 1, "stadsdel": 2}
MONTHS = {m: i for i, m in enumerate(
    ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
     "oktober", "november", "december"), start=1)}
_NAME_TIME = re.compile(r"^\s*(\d{1,2}) ([a-zåäö]+) (\d{1,2})[.:](\d{2})")
_GRADES = re.compile(r"[,\s]+(?:F|\d)[–-]\d+$")
_STATION_SUFFIX = re.compile(r"\s+(T-bana|Spårv|station)$")
LOCAL = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    lon: float
    lat: float


class Gazetteer:
    """District place names -> positions, matched as whole words (a genitive "s" allowed)."""

    def __init__(self, places: list[Place]) -> None:
        by_text: dict[str, Place] = {}
        for p in sorted(places, key=lambda p: RANK[p.kind]):
            by_text.setdefault(p.name, p)
        self.places = by_text
        names = sorted(by_text, key=len, reverse=True)
        alternation = "|".join(re.escape(n) for n in names) or r"(?!x)x"
        self._re = re.compile(rf"(?<![\w-])({alternation})s?(?![\w-])")

    def find(self, text: str) -> Place | None:
        """The single most specific place named in ``text``, or None (none, or ambiguous)."""
        hits = {self.places[m.group(1)] for m in self._re.finditer(text or "")}
        if not hits:
            return None
        best = min(RANK[p.kind] for p in hits)
        top = {(p.lon, p.lat): p for p in hits if RANK[p.kind] == best}
        if len(top) != 1:
            return None
        return next(iter(top.values()))

    @classmethod
    def from_frames(cls, stadsdelar: gpd.GeoDataFrame, sites: pd.DataFrame,
                    streets: list[dict[str, Any]]) -> Gazetteer:
        places: list[Place] = []
        sd_names = {str(n) for n in stadsdelar["name"]}
        for name, geom in zip(stadsdelar["name"], stadsdelar.geometry, strict=True):
            c = geom.centroid if geom.contains(geom.centroid) else geom.point_on_surface()
            places.append(Place(str(name), "stadsdel", float(c.x), float(c.y)))
        for _, s in sites.iterrows():
            kind = str(s["kind"])
            if kind not in RANK:  # playgrounds and pre-schools: names are common words
                continue
            lon, lat = float(s["lon"]), float(s["lat"])
            for text in _site_names(str(s["name"]), kind, s.get("aliases"), sd_names):
                places.append(Place(text, kind, lon, lat))
        for st in streets:
            places.append(Place(str(st["name"]), "street", float(st["lon"]), float(st["lat"])))
        return cls(places)

    @classmethod
    def from_files(cls, geo_dir: Path = GEO_DIR) -> Gazetteer:
        sd = gpd.read_file(geo_dir / "stadsdelar.geojson").to_crs("EPSG:4326")
        sites = gpd.read_file(geo_dir / "sites.geojson").to_crs("EPSG:4326")
        sites["lon"], sites["lat"] = sites.geometry.x, sites.geometry.y
        return cls.from_frames(sd, sites, load_streets(geo_dir))

    @classmethod
    def from_store(cls, engine: Any, geo_dir: Path = GEO_DIR) -> Gazetteer:
        from mapapp.store.district import sites_frame, stadsdelar_frame

        return cls.from_frames(stadsdelar_frame(engine), sites_frame(engine),
                               load_streets(geo_dir))


def _site_names(name: str, kind: str, aliases: Any, stadsdelar: set[str]) -> list[str]:
    """The name, its aliases without a grade suffix ("Aspuddens skola, F–9"), and a station's
    base name ("Telefonplan" of "Telefonplan T-bana") unless that is a stadsdel's name ("i
    Aspudden" means the stadsdel, not the station). One-word aliases are left out: they are
    common words elsewhere in Stockholm ("Subway", "Resecentrum")."""
    out = [name]
    for a in list(aliases) if isinstance(aliases, list | tuple | np.ndarray) else []:
        a = _GRADES.sub("", str(a)).strip()
        if " " in a:
            out.append(a)
    if kind == "station":
        base = _STATION_SUFFIX.sub("", name)
        if base != name:
            if base not in stadsdelar:
                out.append(base)
            if name.endswith("T-bana"):
                out += [f"{base} tunnelbanestation", f"{base}s tunnelbanestation"]
    return list(dict.fromkeys(out))


def load_streets(geo_dir: Path = GEO_DIR) -> list[dict[str, Any]]:
    path = geo_dir / GAZETTEER_FILE
    if not path.exists():
        return []
    return list(json.loads(path.read_text("utf-8"))["streets"])


def build_streets(osm_poi: Path, district: shapely.Geometry) -> list[dict[str, Any]]:
    """Street names of the OSM points (field ``Gata``) with the mean position of each street's
    points; a mean that falls outside the district is moved to the street's nearest point."""
    g = gpd.read_file(osm_poi).to_crs("EPSG:4326")
    g = g[g["Gata"].notna() & (g["Gata"].astype(str).str.strip() != "")]
    out = []
    for street, grp in g.groupby(g["Gata"].astype(str).str.strip(), sort=True):
        x, y = grp.geometry.x.to_numpy(), grp.geometry.y.to_numpy()
        lon, lat = float(x.mean()), float(y.mean())
        if not district.intersects(shapely.Point(lon, lat)):
            i = int(np.argmin((x - lon) ** 2 + (y - lat) ** 2))
            lon, lat = float(x[i]), float(y[i])
        out.append({"name": street, "lon": round(lon, 6), "lat": round(lat, 6),
                    "points": len(grp)})
    return out


# --- events ----------------------------------------------------------------------------------

def municipality(name: str) -> str:
    return name.rsplit(",", 1)[-1].strip() if name else ""


def event_time(name: str, published: pd.Timestamp) -> pd.Timestamp:
    """The time in the event's ``name`` (local), else the publication time."""
    m = _NAME_TIME.match(name or "")
    if m and m.group(2) in MONTHS and not pd.isna(published):
        day, month, hh, mm = int(m.group(1)), MONTHS[m.group(2)], int(m.group(3)), int(m.group(4))
        pub_local = published.tz_convert(LOCAL)
        for year in (pub_local.year, pub_local.year - 1):
            try:
                ts = pd.Timestamp(datetime(year, month, day, hh, mm), tz=None).tz_localize(
                    LOCAL, ambiguous=True, nonexistent="shift_forward")
            except ValueError:
                break
            if ts <= pub_local + pd.Timedelta(days=1):
                return ts.tz_convert("UTC")
    return published


def read_events(path: Path) -> list[dict[str, Any]]:
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataValidationError([Problem(None, None, "io.file.unreadable",
                                           {"fmt": "JSON", "detail": str(exc)})]) from exc
    if not isinstance(doc, list) or not all(isinstance(e, dict) for e in doc):
        raise DataValidationError([Problem(None, None, "io.police.not_list")])
    return doc


def looks_like_events(path: Path) -> bool:
    """A JSON file whose top level is a list (GeoJSON is an object)."""
    with path.open("rb") as fh:
        head = fh.read(64).lstrip()
    return head.startswith(b"[")


def from_events(events: list[dict[str, Any]],
                gazetteer: Gazetteer) -> tuple[PointsInput, dict[str, int]]:
    """The events to keep as incident rows, and counts {total, stockholm, placed, unplaced,
    other}. Events of other municipalities are not in the rows."""
    n = len(events)
    rows = np.arange(1, n + 1, dtype=np.int64)
    ids = np.array([str(e.get("id", "")).strip() for e in events], dtype=object)
    problems: list[tuple[int, str, Message]] = []
    for i, e in enumerate(events):
        for fld in ("id", "datetime", "name", "type"):
            if not str(e.get(fld) or "").strip():
                problems.append((i, fld, Message("io.police.field_missing", {
                    "field": fld, "where": Message("io.where.event", {"n": i + 1,
                                                                      "id": ids[i] or "?"})})))
    names = [str(e.get("name") or "") for e in events]
    summaries = [str(e.get("summary") or "") for e in events]
    muni = [municipality(nm) for nm in names]
    published = pd.to_datetime(pd.Series([str(e.get("datetime") or "") for e in events],
                                         dtype="str"),
                               format="ISO8601", errors="coerce", utc=True)
    keep: list[int] = []
    lon: list[float] = []
    lat: list[float] = []
    prec: list[str] = []
    place: list[str | None] = []
    counts = {"total": n, "stockholm": 0, "placed": 0, "unplaced": 0, "other": 0}
    for i in range(n):
        if muni[i] not in (MUNICIPALITY, COUNTY):
            counts["other"] += 1
            continue
        counts["stockholm"] += 1
        hit = gazetteer.find(names[i]) or gazetteer.find(summaries[i])
        if hit is None and muni[i] != MUNICIPALITY:
            counts["other"] += 1
            continue
        keep.append(i)
        if hit is None:
            counts["unplaced"] += 1
            lon.append(np.nan)
            lat.append(np.nan)
            prec.append("unplaced")
            place.append(None)
        else:
            counts["placed"] += 1
            lon.append(hit.lon)
            lat.append(hit.lat)
            prec.append("place-name")
            place.append(hit.name)
    idx = np.asarray(keep, dtype=np.int64)
    times = [event_time(names[i], published.iloc[i]) for i in keep]
    frame = pd.DataFrame({
        "category": [TYPE_CATEGORY.get(str(events[i].get("type") or "").strip(),
                                       str(events[i].get("type") or "").strip()) for i in keep],
        "occurred_at": ["" if pd.isna(ts) else ts.isoformat() for ts in times],
        "id": ids[idx] if len(idx) else np.array([], dtype=object),
        "description": [summaries[i] for i in keep],
        "place_name": [p or "" for p in place],
    })
    # occurred_at falls back to the raw text so an unreadable datetime is reported as such
    raw_dt = [str(events[i].get("datetime") or "") for i in keep]
    frame["occurred_at"] = [o or r for o, r in zip(frame["occurred_at"], raw_dt, strict=True)]
    inp = PointsInput(frame, rows[idx], "latlon", where_key="io.where.event",
                      where_ids=ids[idx] if len(idx) else np.array([], dtype=object))
    inp.extra = pd.DataFrame({"lon": np.asarray(lon, dtype="float64"),
                              "lat": np.asarray(lat, dtype="float64"),
                              "precision": np.asarray(prec, dtype=object)})
    pos = {orig: new for new, orig in enumerate(keep)}
    inp.pre_problems = [(pos[i], f, m) for i, f, m in problems if i in pos]
    # an event without id/name/type outside Stockholm is still a broken file
    broken = [Problem(int(rows[i]), f, m.key, dict(m.params)) for i, f, m in problems
              if i not in pos]
    if broken:
        raise DataValidationError(broken)
    return inp, counts
