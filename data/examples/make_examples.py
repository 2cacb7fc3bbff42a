"""Write the example import files of this folder (deterministic: the same files every run).

Positions are real places of the district (stations and centres of ``data/geo/sites.geojson``);
categories, times, ratings, notes and every count in the statistics examples are made up for
the examples (they are no real crime figures).

    .venv/bin/python data/examples/make_examples.py
"""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import geopandas as gpd
import pandas as pd
from openpyxl import Workbook

from mapapp.categories import OBSERVATION_CATEGORIES, RATING_KEYS
from mapapp.crs import SWEREF99_1800, transformer

HERE = Path(__file__).resolve().parent
GEO = HERE.parent / "geo"
NS = uuid.UUID("6f1c0d3e-6a59-4bf7-9d1e-2b8f0c3a5e11")  # fixed namespace: stable instance ids


def places() -> pd.DataFrame:
    s = gpd.read_file(GEO / "sites.geojson")
    s = s[s["kind"].isin(["station", "centre"])].sort_values("name").reset_index(drop=True)
    return pd.DataFrame({"name": s["name"], "lon": s.geometry.x.round(6),
                         "lat": s.geometry.y.round(6)})


INCIDENTS = [  # (category as a user writes it, local time, description)
    ("Narkotikabrott", "2022-09-14 21:40", "Exempel: misstänkt försäljning"),
    ("narkotikabrott", "2022-10-02 23:05", "Exempel"),
    ("Våld i offentlig miljö", "2022-11-19 01:30", "Exempel: bråk vid entrén"),
    ("Personrån", "2023-01-08 19:15", "Exempel"),
    ("Skadegörelse", "2023-02-11 03:20", "Exempel: krossad ruta"),
    ("Stöld", "2023-03-03 14:45", "Exempel"),
    ("Inbrott", "2023-03-21 02:10", "Exempel: källarförråd"),
    ("Ordningsstörning", "2023-04-01 22:30", "Exempel: störande grupp"),
    ("skadegorelse", "2023-04-15 00:50", "Exempel: klotter"),
    ("Övrigt", "2023-05-06 16:00", "Exempel"),
]


def incidents_frame() -> pd.DataFrame:
    p = places()
    rows = []
    for i, (cat, when, desc) in enumerate(INCIDENTS):
        pl = p.iloc[(i * 5) % len(p)]
        rows.append({"id": f"EX-{i + 1:03d}", "category": cat, "occurred_at": when,
                     "lat": pl["lat"], "lon": pl["lon"], "description": f"{desc} ({pl['name']})"})
    return pd.DataFrame(rows)


def write_csvs() -> None:
    df = incidents_frame()
    en = df.assign(source="exempel")
    en.to_csv(HERE / "incidents_en.csv", index=False, encoding="utf-8")
    sv = df.rename(columns={"category": "kategori", "occurred_at": "tidpunkt",
                            "description": "beskrivning"})
    sv["lat"] = sv["lat"].map(lambda v: f"{v:.6f}".replace(".", ","))
    sv["lon"] = sv["lon"].map(lambda v: f"{v:.6f}".replace(".", ","))
    sv.to_csv(HERE / "handelser_sv.csv", index=False, sep=";", encoding="utf-8-sig")
    x, y = transformer("EPSG:4326", SWEREF99_1800).transform(df["lon"].to_numpy(),
                                                            df["lat"].to_numpy())
    xy = pd.DataFrame({"id": [f"XY-{i + 1:03d}" for i in range(len(df))],
                       "kategori": df["category"], "tidpunkt": df["occurred_at"],
                       "x": [round(v, 1) for v in x], "y": [round(v, 1) for v in y]})
    xy.to_csv(HERE / "handelser_sweref99_1800.csv", index=False, sep=";", encoding="utf-8-sig")


def write_xlsx() -> None:
    df = incidents_frame()
    wb = Workbook()
    ws = wb.active
    ws.title = "Händelser"
    ws.append(["id", "kategori", "tidpunkt", "lat", "lon", "beskrivning"])
    for r in df.itertuples():
        ws.append([f"XL-{r.id[3:]}", r.category, pd.Timestamp(r.occurred_at).to_pydatetime(),
                   float(r.lat), float(r.lon), r.description])
    for cell in ws["C"][1:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    wb.save(HERE / "handelser.xlsx")


OBS = [("belysning", 0, "Exempel: trasig gatlampa"), ("vegetation", 1, "Exempel: buskage skymmer"),
       ("klotter", 2, "Exempel"), ("nedskrapning", 2, "Exempel"), ("otrygg_passage", 1,
                                                                    "Exempel: mörk gångtunnel")]


def write_geojson() -> None:
    p = places()
    feats = []
    for i, (cat, rating, note) in enumerate(OBS):
        pl = p.iloc[(i * 3 + 1) % len(p)]
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [
            float(pl["lon"]), float(pl["lat"])]}, "properties": {
            "id": f"GJ-{i + 1:03d}", "kategori": cat, "tidpunkt": f"2023-03-{10 + i:02d}T19:30:00+01:00",
            "beskrivning": f"{note} ({pl['name']})", "belysning": rating, "trygghetskansla": rating}})
    (HERE / "observationer.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": feats}, ensure_ascii=False, indent=1) + "\n",
        "utf-8")


def write_zone() -> None:
    sd = gpd.read_file(GEO / "stadsdelar.geojson")
    z = sd[sd["name"] == "Aspudden"][["geometry"]].copy()
    z["name"] = "Aspudden (exempel)"
    z["kind"] = "fokusplats"
    z[["name", "kind", "geometry"]].to_file(HERE / "zoner.geojson", driver="GeoJSON")


def write_xlsform() -> None:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Svenska (sv)", "label::English (en)", "required",
                   "hint::Svenska (sv)", "hint::English (en)"])
    survey.append(["start", "start", "", "", "", "", ""])
    survey.append(["end", "end", "", "", "", "", ""])
    survey.append(["text", "walk_name", "Vandringens namn", "Walk name", "yes",
                   "Samma namn för alla punkter på vandringen", "The same name for every point"])
    survey.append(["select_one category", "category", "Kategori", "Category", "yes", "", ""])
    labels = {"belysning": ("Belysning", "Lighting"), "oppenhet": ("Öppenhet", "Openness"),
              "synlighet": ("Synlighet", "Visibility"), "folkliv": ("Folkliv", "People"),
              "trygghetskansla": ("Trygghetskänsla", "Feeling of safety")}
    for key in RATING_KEYS:
        sv, en = labels[key]
        survey.append(["select_one rating", key, f"{sv} (0–3)", f"{en} (0–3)", "", "", ""])
    survey.append(["text", "note", "Anteckning", "Note", "", "Skriv inga namn eller "
                   "personnummer", "Write no names or ID numbers"])
    survey.append(["image", "photo", "Foto", "Photo", "", "", ""])
    survey.append(["geopoint", "location", "Plats", "Location", "yes", "", ""])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::Svenska (sv)", "label::English (en)"])
    for c in OBSERVATION_CATEGORIES:
        choices.append(["category", c.code, c.sv, c.en])
    for v, sv, en in ((0, "0 – dåligt", "0 – poor"), (1, "1", "1"), (2, "2", "2"),
                      (3, "3 – bra", "3 – good")):
        choices.append(["rating", v, sv, en])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language", "instance_name"])
    settings.append(["Trygghetsvandring Hägersten-Älvsjö", "trygghetsvandring_ha", "2024050101",
                     "Svenska (sv)", "concat(${walk_name}, ' – ', ${category})"])
    wb.save(HERE / "trygghetsvandring_xlsform.xlsx")


ODK_OBS = [("belysning", [0, 1, 1, 2, 1], "Exempel: två lampor ur funktion"),
           ("vegetation", [2, 0, 1, 1, 1], "Exempel: buskar vid gångvägen"),
           ("klotter", [2, 2, 2, 1, 2], ""),
           ("samlingsplats", [1, 2, 2, 3, 1], "Exempel: häng på kvällar"),
           ("otrygg_passage", [0, 0, 1, 0, 0], "Exempel: gångtunnel utan belysning")]


def write_odk_exports() -> None:
    p = places()
    central_head = ["SubmissionDate", "start", "end", "walk_name", "category", *RATING_KEYS,
                    "note", "photo", "location-Latitude", "location-Longitude",
                    "location-Altitude", "location-Accuracy", "meta-instanceID", "KEY",
                    "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
                    "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
    kobo_head = ["start", "end", "walk_name", "category", *RATING_KEYS, "note", "photo",
                 "location", "_location_latitude", "_location_longitude", "_location_altitude",
                 "_location_precision", "meta/instanceID", "_id", "_uuid", "_submission_time",
                 "_index"]
    central, kobo = [], []
    for i, (cat, ratings, note) in enumerate(ODK_OBS):
        pl = p.iloc[(i * 2) % len(p)]
        start = f"2023-04-18T19:{10 + i * 6:02d}:12.000+02:00"
        end = f"2023-04-18T19:{13 + i * 6:02d}:40.000+02:00"
        iid = f"uuid:{uuid.uuid5(NS, f'odk-{i}')}"
        lat, lon, acc = float(pl["lat"]), float(pl["lon"]), 4.5 + i
        photo = f"{1681838000 + i}.jpg" if i % 2 == 0 else ""
        central.append(["2023-04-18T18:30:00.000Z", start, end, "Vandring Telefonplan april 2023",
                        cat, *ratings, note, photo, lat, lon, 31.0, acc, iid, iid, 7,
                        "surfplatta-1", 0, 1 if photo else 0, "", "", "collect:exempel", 0,
                        "2024050101"])
        kid = f"uuid:{uuid.uuid5(NS, f'kobo-{i}')}"
        kobo.append([start, end, "Vandring Älvsjö maj 2023", cat, *ratings, note, photo,
                     f"{lat} {lon} 31.0 {acc}", lat, lon, 31.0, acc, kid, 1000 + i, kid[5:],
                     "2023-05-10T18:00:00", i + 1])
    with (HERE / "trygghetsvandring_odk_central.csv").open("w", encoding="utf-8",
                                                           newline="") as fh:
        w = csv.writer(fh)
        w.writerow(central_head)
        w.writerows(central)
    with (HERE / "trygghetsvandring_kobo.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(kobo_head)
        w.writerows(kobo)


STAT_CATEGORIES = ("Narkotikabrott", "Våld i offentlig miljö", "Våld i nära relation",
                   "Personrån", "Bedrägeri mot äldre/funktionsnedsatta")
STAT_PERIODS = ("2019–2020", "2020–2021", "2021–2022")
MADE_UP = {  # made-up example counts, NOT real figures
    "Hägersten-Älvsjö": ((412, 388, 301), (236, 251, 244), (198, 205, 219), (61, 48, 52),
                         (35, 41, 57)),
    "Bromma": ((288, 262, 240), (170, 181, 166), (151, 160, 171), (39, 33, 30), (27, 30, 44)),
}


def write_statistics() -> None:
    long_rows = [(area, cat, per, MADE_UP[area][ci][pi])
                 for area in MADE_UP for ci, cat in enumerate(STAT_CATEGORIES)
                 for pi, per in enumerate(STAT_PERIODS)]
    with (HERE / "statistik_lang.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["område", "kategori", "period", "antal"])
        w.writerows(long_rows)
    with (HERE / "statistik_bred_hagersten-alvsjo.csv").open("w", encoding="utf-8-sig",
                                                              newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Anmälda brott per statistikår, Hägersten-Älvsjö (påhittade exempelsiffror)"])
        w.writerow(["", "Brottskategori", *STAT_PERIODS])
        for i, cat in enumerate(STAT_CATEGORIES):
            vals = [f"{v:,}".replace(",", " ") for v in MADE_UP["Hägersten-Älvsjö"][i]]
            w.writerow([i, cat, *vals])
    months = ("Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec")
    wb = Workbook()
    ws = wb.active
    ws.title = "Bromma 2022"
    ws.append(["Anmälda brott per månad 2022, Bromma (påhittade exempelsiffror)"])
    ws.append(["Månad", "Narkotika", "Misshandel", "3 kap. Brott mot liv och hälsa"])
    for m, name in enumerate(months):
        ws.append([name, float(20 + m % 5), 12 + (m * 7) % 9, 30 + (m * 5) % 11])
    wb.save(HERE / "statistik_manad_bromma_2022.xlsx")


def main() -> None:
    write_csvs()
    write_xlsx()
    write_geojson()
    write_zone()
    write_xlsform()
    write_odk_exports()
    write_statistics()


if __name__ == "__main__":
    main()
