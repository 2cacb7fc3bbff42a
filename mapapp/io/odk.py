"""ODK Central / KoBoToolbox CSV exports of the trygghetsvandring form
(``data/examples/trygghetsvandring_xlsform.xlsx``): one submission = one observation.

Columns are found by the field's own name, whatever group path the server puts in front of it
(KoBo writes ``group/field``, ODK Central ``group-field``):

- ``location`` / ``geopoint`` / ``plats`` ("lat lon altitude accuracy"), or the split
  columns ``location-Latitude``/``-Longitude``/``-Accuracy`` (ODK Central) or
  ``_location_latitude``/``_longitude``/``_precision`` (KoBo) -> ``lat``, ``lon``,
  ``accuracy_m``;
- ``time`` / ``tidpunkt`` if the form has one, else ``start`` -> ``occurred_at``;
- ``meta/instanceID``, ``instanceID``, ``KEY`` or ``_uuid`` -> ``external_id`` (source
  ``odk`` unless ``--source``);
- ``category`` / ``kategori`` -> category (code or label of :mod:`mapapp.categories`);
- ``belysning``, ``oppenhet``, ``synlighet``, ``folkliv``, ``trygghetskansla`` (0–3) ->
  the ``ratings`` JSON;
- ``note`` / ``anteckning`` -> description;
- ``walk_name`` / ``vandring`` -> the walk the observation belongs to;
- ``photo`` / ``foto`` -> the photo's file name; the image is taken from beside the CSV (or
  its ``media/`` folder) when it is there, cleaned of all metadata.

A re-import of the same export, or of a later export that includes it, adds only the new
submissions (the instance id is the key).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from mapapp.categories import RATING_KEYS
from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import Message
from mapapp.io.columns import RATING_COLUMNS, ratings_and_accuracy
from mapapp.io.tabular import Columns, RawTable, fold, text_column
from mapapp.io.validate import PointsInput

ODK_FIELDS: dict[str, tuple[str, ...]] = {
    "time": ("time", "tidpunkt", "observed at", "observerad", "datetime"),
    "start": ("start",),
    "walk": ("walk name", "walk", "vandring", "vandringens namn", "walk title"),
    "category": ("category", "kategori"),
    "note": ("note", "anteckning", "beskrivning", "kommentar", "notering"),
    "photo": ("photo", "foto", "bild", "image"),
    "geopoint": ("location", "geopoint", "plats", "position", "gps", "punkt"),
    **{k: (k, *RATING_COLUMNS[k]) for k in RATING_KEYS},
}
_ID_ORDER = ("instanceid", "key", "uuid")
_SPLIT = re.compile(r"^(?:(?P<central>.+)-(?P<cpart>latitude|longitude|accuracy)|"
                    r"_(?P<kobo>.+)_(?P<kpart>latitude|longitude|precision))$", re.IGNORECASE)


def is_odk(columns: list[str]) -> bool:
    """Does this header look like an ODK/KoBo export (an instance id column)?"""
    return any(_id_kind(c) is not None for c in columns)


def _last(header: str) -> str:
    return fold(re.split(r"[/-]", header.strip())[-1]) if header.strip() else ""


def _id_kind(header: str) -> str | None:
    h = header.strip()
    last = re.split(r"[/-]", h)[-1].lower()
    if last == "instanceid":
        return "instanceid"
    if h == "KEY":
        return "key"
    if h.lower() == "_uuid":
        return "uuid"
    return None


def find_columns(columns: list[str]) -> dict[str, str]:
    """{canonical: header} for the form's fields, the geopoint parts and the instance id."""
    lookup = {fold(a): canon for canon, aliases in ODK_FIELDS.items() for a in aliases}
    found: dict[str, str] = {}
    ids: dict[str, str] = {}
    for col in columns:
        kind = _id_kind(col)
        if kind is not None:
            ids.setdefault(kind, col)
            continue
        m = _SPLIT.match(col.strip())
        if m:
            part = (m.group("cpart") or m.group("kpart")).lower()
            canon = {"latitude": "lat", "longitude": "lon", "accuracy": "accuracy_m",
                     "precision": "accuracy_m"}[part]
            found.setdefault(canon, col)
            continue
        hit = lookup.get(_last(col))
        if hit is not None and hit not in found:
            found[hit] = col
    for kind in _ID_ORDER:
        if kind in ids:
            found["id"] = ids[kind]
            break
    return found


def _require(found: dict[str, str], cols: Columns) -> None:
    need = {"category": ODK_FIELDS["category"], "start": ("time", *ODK_FIELDS["time"]),
            "location": ODK_FIELDS["geopoint"]}
    problems = []
    if "category" not in found:
        problems.append(("category", need["category"]))
    if "time" not in found and "start" not in found:
        problems.append(("start", need["start"]))
    if "geopoint" not in found and not ("lat" in found and "lon" in found):
        problems.append(("location", need["location"]))
    if problems:
        raise DataValidationError([
            Problem(None, c, "io.file.missing_column",
                    {"column": c, "names": ", ".join(a), "found": cols}) for c, a in problems])


def from_odk(raw: RawTable) -> tuple[PointsInput, list[str]]:
    """The export as observation rows; returns (input, photo file names per row)."""
    frame = raw.frame
    found = find_columns(list(frame.columns))
    _require(found, raw.columns())
    n = len(frame)
    canon = pd.DataFrame(index=range(n))
    canon["category"] = text_column(frame, found.get("category")).to_numpy()
    time_col: str | None = found.get("time") or found.get("start")
    canon["occurred_at"] = text_column(frame, time_col).to_numpy()
    canon["id"] = text_column(frame, found.get("id")).to_numpy()
    canon["description"] = text_column(frame, found.get("note")).to_numpy()
    accuracy_text = None
    geo_bad = np.zeros(n, dtype=bool)
    if "geopoint" in found and ("lat" not in found or "lon" not in found):
        gp = text_column(frame, found["geopoint"]).str.split(expand=False)
        padded = [(list(x) + ["", "", "", ""])[:4] for x in gp.tolist()]
        parts = pd.DataFrame(padded, index=range(n), columns=range(4), dtype=object) if n \
            else pd.DataFrame(columns=range(4), dtype=object)
        geo_raw = text_column(frame, found["geopoint"]).to_numpy()
        geo_bad = (geo_raw != "") & ((parts[0] == "") | (parts[1] == "")).to_numpy()
        canon["lat"] = np.where(geo_bad, "", parts[0].astype(str))
        canon["lon"] = np.where(geo_bad, "", parts[1].astype(str))
        accuracy_text = parts[3].astype(str).to_numpy()
    else:
        canon["lat"] = text_column(frame, found.get("lat")).to_numpy()
        canon["lon"] = text_column(frame, found.get("lon")).to_numpy()
        if "accuracy_m" in found:
            accuracy_text = text_column(frame, found["accuracy_m"]).to_numpy()
    inp = PointsInput(canon, raw.rows, "latlon", precision="gps")
    inp.messages = list(raw.messages)
    # ratings and accuracy through the shared parser
    extra_src = pd.DataFrame(index=range(n))
    extra_found: dict[str, str] = {}
    for key in RATING_KEYS:
        if key in found:
            extra_src[key] = text_column(frame, found[key]).to_numpy()
            extra_found[key] = key
    if accuracy_text is not None:
        extra_src["accuracy_m"] = accuracy_text
        extra_found["accuracy_m"] = "accuracy_m"
    extra, _, bad = ratings_and_accuracy(extra_src, extra_found)
    extra["walk_name"] = text_column(frame, found.get("walk")).to_numpy(dtype=object)
    inp.extra = extra
    for p, fld, key, value in bad:
        inp.pre_problems.append((p, fld, Message(key, {"where": inp.where(p), "field": fld, "value": value})))
    for p in np.flatnonzero(geo_bad).tolist():
        inp.pre_problems.append((p, "lat",
            Message("io.row.geopoint_bad", {"where": inp.where(p),
                                         "value": frame[found["geopoint"]].iloc[p]})))
    id_field = found.get("id", "instanceID")
    for p in np.flatnonzero(canon["id"].to_numpy() == "").tolist():
        inp.pre_problems.append((p, "id",
            Message("io.row.id_missing", {"where": inp.where(p), "field": id_field})))
    photos = text_column(frame, found.get("photo")).tolist()
    return inp, photos
