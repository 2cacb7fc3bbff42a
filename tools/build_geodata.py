"""Build the bundled district layers in data/geo/ from the shared real data.

Reads the files described in ``<shared>/PROVENANCE.md`` (default ``../shared/data`` relative to
the project root) and writes, in WGS84 with coordinates rounded to 6 decimals:

    stadsdelar.geojson            the 17 stadsdelar of Hägersten-Älvsjö
    district.geojson              the whole district (union of the 17)
    stockholm_stadsdelar.geojson  the 117 stadsdelar of Stockholm (context)
    zones.geojson                 the 6 zones of the council's minutes 2023-04-21
    sites.geojson                 hotspot-candidate sites inside the district
    water.geojson                 water (lakes, Mälaren's shore) for the bundled basemap

``zones_content.json`` is written by hand from the minutes; this script only checks it.
The output is deterministic: rebuilding from the same input gives byte-identical files.

    .venv/bin/python tools/build_geodata.py [--shared DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

from mapapp.categories import PRIORITY_AREAS, SEED_ACTORS
from mapapp.crs import METRIC, WGS84, transformer

ROOT = Path(__file__).resolve().parents[1]
# The project's shared source data beside the checkout, else the copy kept for the tests.
DEFAULT_SHARED = next((p for p in (ROOT.parent / "shared" / "data",
                                   ROOT / "tests" / "data" / "shared" / "data")
                       if (p / "geo").is_dir()), ROOT.parent / "shared" / "data")
GRID = 1e-6  # 6 decimals of a degree (about 0.1 m)
DISTRICT = "Hägersten-Älvsjö"
SRC = {
    "stadsdelar": "geo/hagersten_alvsjo_stadsdelar_17_wgs84.geojson",
    "stockholm": "geo/stockholm_stadsdelar_117_land_only_simplified_wgs84.geojson",
    "skolor": "geo/skolor_forskolor_hagersten_alvsjo_bromma_stockholm_stad_wgs84.geojson",
    "osm": "geo/osm_poi_hagersten_alvsjo_wgs84.geojson",
    "gtfs": "geo/gtfs_sverige2_stops_hagersten_alvsjo_2022_wgs84.geojson",
    "water": "geo/stockholm_stad_vatten_hagersten_alvsjo_bbox_wgs84.geojson",
}
WATER_SIMPLIFY_M = 2.0  # the basemap is drawn at zoom 10-19; 2 m is below a pixel at zoom 16
TELEFONPLAN_STOP = "740021716"  # Telefonplan T-bana in the GTFS file
TELEFONPLAN_BUFFER_M = 450.0

# (name, kind, stadsdelar, drawn); Telefonplan is cut from Midsommarkransen around the station.
ZONES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("Liljeholmen", "platssamverkan", ("Liljeholmen",),
     "Stadsdelen Liljeholmens gräns enligt Stockholms stads stadsdelsindelning."),
    ("Fruängen/Västertorp/Hägerstensåsen", "platssamverkan",
     ("Fruängen", "Västertorp", "Hägerstensåsen"),
     "Sammanslagning av stadsdelarna Fruängen, Västertorp och Hägerstensåsen."),
    ("Älvsjö/Solberga", "platssamverkan", ("Älvsjö", "Solberga"),
     "Sammanslagning av stadsdelarna Älvsjö och Solberga."),
    ("Långbro", "fokusplats", ("Långbro",),
     "Stadsdelen Långbros gräns enligt Stockholms stads stadsdelsindelning."),
    ("Västberga", "fokusplats", ("Västberga",),
     "Stadsdelen Västbergas gräns enligt Stockholms stads stadsdelsindelning."),
    ("Telefonplan", "fokusplats", ("Midsommarkransen",),
     "Område inom 450 m (SWEREF 99 TM) från Telefonplans tunnelbanestation (GTFS), "
     "begränsat till stadsdelen Midsommarkransen så att det inte överlappar andra zoner."),
)

SCHOOL_KIND = {"grundskolor": "school", "anpassade_grundskolor": "school",
               "förskola": "preschool", "öppen_förskola": "preschool"}
SCHOOL_LABEL = {"grundskolor": "grundskola", "anpassade_grundskolor": "anpassad grundskola",
                "förskola": "förskola", "öppen_förskola": "öppen förskola"}
STATION_MODES = {"tunnelbana": "tunnelbana", "pendeltag/tag": "pendeltåg/tåg",
                 "sparvag": "spårväg"}
KIND_ORDER = ("centre", "station", "school", "preschool", "playground", "address")

# Centres: mean position of the OSM points (shops, restaurants, cafés, ...) on these streets.
CENTRES = (
    ("Liljeholmens centrum", ("Liljeholmstorget",)),
    ("Fruängen centrum", ("Fruängstorget", "Fruängsgången")),
    ("Älvsjö centrum", ("Älvsjö Torg",)),
)

# Places named in the minutes: (name, zone, how to place it, aliases).
#   ("site", external_id)          the name resolves to an existing site (added as an alias)
#   ("osm", street, number|None)    mean of the OSM points at that street (and number)
#   ("gtfs", stop_id)               the position of a GTFS stop (also a bus stop)
#   ("approx", lon, lat, note)      no data: best knowledge of the place ("ungefärligt läge")
NAMED: tuple[tuple[str, str, tuple[Any, ...], tuple[str, ...]], ...] = (
    ("Solberga hagväg 5", "Älvsjö/Solberga", ("osm", "Solberga Hagväg", "5"), ()),
    ("Västberga gårdsväg", "Västberga", ("gtfs", "740065664"), ()),
    ("Vretenborgsvägen", "Västberga", ("osm", "Vretensborgsvägen", None),
     ("Vretensborgsvägen",)),
    ("SHIS Bjällerkransen", "Fruängen/Västertorp/Hägerstensåsen",
     ("approx", 17.9830, 59.2950, "nära Hägerstensåsens tunnelbanestation; adressen "
      "(Bjällerkransvägen) finns inte i de medföljande data"), ("Bjällerkransen",)),
    ("Johan Skyttes skola", "Långbro", ("site", "skolor:13997"), ("Johan Skytteskolan",)),
    ("Älvsjö resecentrum", "Älvsjö/Solberga", ("site", "gtfs:740000789"), ("Resecentrum",)),
    ("Medborgarkontoret Älvsjö", "Älvsjö/Solberga",
     ("approx_osm", "Älvsjö Stationsgata", "i Älvsjö centrum (medelläge av OSM-punkterna på "
      "Älvsjö Stationsgata); kontorets adress finns inte i de medföljande data"),
     ("Medborgarkontoret",)),
    ("Subway Älvsjö", "Älvsjö/Solberga", ("osm", "Älvsjö Torg", "13B"), ("Subway",)),
    ("Eventhuset/Loftet", "Västberga",
     ("approx_osm", "Vretensborgsvägen", "vid Vretensborgsvägen, där protokollet nämner "
      "ungdomsfester (medelläge av OSM-punkterna på gatan); lokalens adress finns inte i de "
      "medföljande data"), ("Eventhuset", "Loftet")),
)

# Stockholm's names come in upper case; these words stay lower case after the first word.
LOWER_WORDS = {"gård", "strand", "villastad", "kyrka", "stan", "slott", "mossen"}
NAME_FIXES = {"ULVSUNDA INDUSTRIOMR": "Ulvsunda industriområde"}  # truncated in the source


# ---------------------------------------------------------------- geometry helpers
def _reproject(geom: shapely.Geometry, src: str, dst: str) -> shapely.Geometry:
    tr = transformer(src, dst)

    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def to_metric(geom: shapely.Geometry) -> shapely.Geometry:
    return _reproject(geom, WGS84, METRIC)


def to_wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    return _reproject(geom, METRIC, WGS84)


def snap(geom: shapely.Geometry) -> shapely.Geometry:
    """On the 6-decimal grid, valid, exterior rings counter-clockwise (RFC 7946)."""
    out = shapely.set_precision(shapely.make_valid(geom), GRID)
    if out.geom_type in ("Polygon", "MultiPolygon"):
        out = shapely.orient_polygons(out)
    return out


def _rounded(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, 6) + 0.0
    if isinstance(obj, list | tuple):
        return [_rounded(v) for v in obj]
    return obj


def write_geojson(path: Path, features: list[tuple[dict[str, Any], shapely.Geometry]]) -> None:
    """A FeatureCollection with one feature per line (readable diffs), UTF-8."""
    lines = []
    for props, geom in features:
        geometry = {k: _rounded(v) for k, v in mapping(geom).items()}
        feat = {"type": "Feature", "properties": props, "geometry": geometry}
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


def title_name(upper: str) -> str:
    """'BROMMA KYRKA' -> 'Bromma kyrka', 'NORRA DJURGÅRDEN' -> 'Norra Djurgården'."""
    if upper in NAME_FIXES:
        return NAME_FIXES[upper]
    words = upper.lower().split()
    return " ".join(w if i and w in LOWER_WORDS else w.capitalize() for i, w in enumerate(words))


# ---------------------------------------------------------------- layers
def build_areas(shared: Path) -> tuple[dict[str, shapely.Geometry], shapely.Geometry]:
    sd = gpd.read_file(shared / SRC["stadsdelar"])
    bad = sorted(set(sd["stadsdelsomrade"]) - {DISTRICT})
    if len(sd) != 17 or bad:
        sys.exit(f"Väntade 17 stadsdelar i {DISTRICT}, fick {len(sd)} ({bad})")
    areas = {str(n): snap(g) for n, g in zip(sd["stadsdel"], sd.geometry, strict=True)}
    district = snap(shapely.union_all(list(areas.values()), grid_size=GRID))
    return areas, district


def build_zones(areas: dict[str, shapely.Geometry], station: shapely.Point
                ) -> list[tuple[dict[str, Any], shapely.Geometry]]:
    out: list[tuple[dict[str, Any], shapely.Geometry]] = []
    for name, kind, parts, drawn in ZONES:
        geom = shapely.union_all([areas[p] for p in parts], grid_size=GRID)
        if name == "Telefonplan":
            circle = to_wgs84(to_metric(station).buffer(TELEFONPLAN_BUFFER_M, quad_segs=32))
            geom = shapely.intersection(geom, circle, grid_size=GRID)
            # Keep 0.2 m off the other zones: rounding the new border vertices to the grid
            # would otherwise leave slivers of up to ~1 m² over a neighbour.
            others = to_wgs84(to_metric(shapely.union_all([g for _, g in out])).buffer(0.2))
            geom = shapely.difference(geom, others, grid_size=GRID)
        props = {"name": name, "kind": kind, "stadsdelar": list(parts), "drawn": drawn}
        out.append((props, snap(geom)))
    return out


def _site(name: str, kind: str, source: str, external_id: str, detail: str,
          point: shapely.Point, aliases: list[str] | None = None) -> dict[str, Any]:
    return {"name": name, "kind": kind, "source": source, "external_id": external_id,
            "detail": detail, "aliases": aliases or [], "geometry": snap(point)}


def _mean_point(df: gpd.GeoDataFrame) -> shapely.Point:
    return shapely.Point(float(df.geometry.x.mean()), float(df.geometry.y.mean()))


def _street(osm: gpd.GeoDataFrame, street: str, number: str | None = None) -> gpd.GeoDataFrame:
    sel = osm[(osm["Gata"] == street) & (osm["Typ"] != "playground")]
    if number is not None:
        sel = sel[sel["Nr"].astype(str) == number]
    if sel.empty:
        sys.exit(f"Inga OSM-punkter på {street} {number or ''} – kontrollera källfilen")
    return sel


def build_sites(shared: Path) -> list[dict[str, Any]]:
    sites: list[dict[str, Any]] = []
    skolor = gpd.read_file(shared / SRC["skolor"])
    for r in skolor[skolor["stadsdelsomrade"] == DISTRICT].itertuples():
        full = str(r.namn)  # "Johan Skytteskolan, F–9": the grades go to detail
        grades = re.search(r",?\s+([F1-9]–[1-9])$", full)
        name = full[: grades.start()] if grades else full
        label = SCHOOL_LABEL[r.kategori] + (f" {grades.group(1)}" if grades else "")
        detail = f"{label}; {r.gatuadress}, {r.postnummer} {r.stad}"
        sites.append(_site(name, SCHOOL_KIND[r.kategori], "skolor", f"skolor:{r.id}", detail,
                           r.geometry, [full] if grades else []))
    gtfs = gpd.read_file(shared / SRC["gtfs"], columns=["stop_id", "stop_name", "mode_guess"])
    gtfs["stop_id"] = gtfs["stop_id"].astype(str)
    for r in gtfs[gtfs["mode_guess"].isin(list(STATION_MODES))].itertuples():
        sites.append(_site(str(r.stop_name), "station", "gtfs", f"gtfs:{r.stop_id}",
                           STATION_MODES[r.mode_guess], r.geometry))
    osm = gpd.read_file(shared / SRC["osm"])
    for r in osm[osm["Typ"] == "playground"].itertuples():
        named = isinstance(r.Namn, str) and r.Namn.strip() not in ("", "Lekplats")
        where = r.Gata if isinstance(r.Gata, str) and r.Gata else r.Stadsdel
        name = r.Namn.strip() if named else f"Lekplats {where}"
        key = f"{r.Typ}|{r.Namn}|{r.geometry.x:.6f}|{r.geometry.y:.6f}"
        digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]
        sites.append(_site(name, "playground", "osm", f"osm:{digest}",
                           f"lekplats vid {where}" if where else "lekplats", r.geometry))
    for name, streets in CENTRES:
        pts = osm[osm["Gata"].isin(streets) & (osm["Typ"] != "playground")]
        detail = (f"medelläge av {len(pts)} OSM-punkter (butiker, restauranger m.m.) på "
                  + " och ".join(streets))
        sites.append(_site(name, "centre", "osm", f"osm:{slug(name)}", detail, _mean_point(pts)))
    by_id = {s["external_id"]: s for s in sites}
    for name, _zone, how, aliases in NAMED:
        if how[0] == "site":
            target = by_id[how[1]]
            target["aliases"] = sorted({*target["aliases"], name, *aliases} - {target["name"]})
            continue
        if how[0] == "osm":
            pts = _street(osm, how[1], how[2])
            point = _mean_point(pts)
            names = ", ".join(sorted(str(n) for n in pts["Namn"]))
            detail = f"läge från OSM: {how[1]} {how[2] or ''} ({names})".replace("  ", " ")
        elif how[0] == "gtfs":
            stop = gtfs[gtfs["stop_id"] == how[1]].iloc[0]
            point = stop.geometry
            detail = f"läge från hållplatsen {stop.stop_name} (GTFS {how[1]})"
        elif how[0] == "approx_osm":
            point = _mean_point(_street(osm, how[1]))
            detail = f"ungefärligt läge: {how[2]}"
        else:
            point = shapely.Point(how[1], how[2])
            detail = f"ungefärligt läge: {how[3]}"
        sites.append(_site(name, "address", "protokoll", f"protokoll:{slug(name)}", detail,
                           point, list(aliases)))
    return sites


def finish_sites(sites: list[dict[str, Any]], district: shapely.Geometry,
                 areas: dict[str, shapely.Geometry]) -> list[dict[str, Any]]:
    """Keep sites in the district (+1 m), add their stadsdel, make names unique, sort."""
    inside = to_wgs84(to_metric(district).buffer(1.0))
    shapely.prepare(inside)
    kept = [s for s in sites if inside.intersects(s["geometry"])]
    for s in kept:
        hits = [n for n, g in areas.items() if g.intersects(s["geometry"])]
        s["stadsdel"] = hits[0] if hits else None
    kept.sort(key=lambda s: (KIND_ORDER.index(s["kind"]), s["name"], s["geometry"].y,
                             s["geometry"].x, s["external_id"]))
    seen: dict[str, int] = {}
    for s in kept:  # "Lekplats Skridskovägen", "Lekplats Skridskovägen (2)", ...
        n = seen[s["name"]] = seen.get(s["name"], 0) + 1
        if n > 1:
            s["name"] = f"{s['name']} ({n})"
    ids = [s["external_id"] for s in kept]
    if len(set(ids)) != len(ids):
        sys.exit("Dubbla external_id bland platserna")
    return kept


def check_named(sites: list[dict[str, Any]], zones: list[tuple[dict[str, Any], Any]]) -> list[str]:
    """Every place named in the minutes resolves to one site inside its zone."""
    zone_geom = {p["name"]: g for p, g in zones}
    problems = []
    for name, zone, _how, _aliases in NAMED:
        found = [s for s in sites if name == s["name"] or name in s["aliases"]]
        if len(found) != 1:
            problems.append(f"{name}: {len(found)} platser med namnet")
        elif not zone_geom[zone].intersects(found[0]["geometry"]):
            problems.append(f"{name}: ligger inte i zonen {zone}")
    return problems


def check_content(path: Path, zone_names: list[str], site_names: set[str]) -> list[str]:
    """Problems in the hand-written zones_content.json (empty list when it is fine)."""
    if not path.exists():
        return [f"{path} saknas"]
    content = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    if [z.get("name") for z in content] != zone_names:
        problems.append(f"zonerna ska vara {zone_names} i den ordningen")
    for z in content:
        for area in z.get("priority_areas", []):
            if area not in PRIORITY_AREAS:
                problems.append(f"{z.get('name')}: okänt prioriterat område {area!r}")
        for i, m in enumerate(z.get("measures", []), 1):
            where = f"{z.get('name')}, åtgärd {i}"
            if m.get("priority_area") not in PRIORITY_AREAS:
                problems.append(f"{where}: okänt priority_area {m.get('priority_area')!r}")
            if m.get("actor") not in SEED_ACTORS:
                problems.append(f"{where}: okänd aktör {m.get('actor')!r}")
            if m.get("site") is not None and m["site"] not in site_names:
                problems.append(f"{where}: okänd plats {m['site']!r}")
    return problems


def build_water(shared: Path) -> list[tuple[dict[str, Any], shapely.Geometry]]:
    """The water polygons of the bundled basemap: simplified (metric, topology kept), on the
    6-decimal grid, largest first (stable order), property ``kind`` = "vatten"."""
    src = gpd.read_file(shared / SRC["water"])
    out = []
    for geom in src.geometry:
        g = to_wgs84(shapely.simplify(to_metric(geom), WATER_SIMPLIFY_M, preserve_topology=True))
        g = snap(g)
        if not g.is_empty:
            out.append((float(to_metric(g).area), g))
    out.sort(key=lambda ag: (-round(ag[0], 1), ag[1].wkt))
    return [({"kind": "vatten"}, g) for _a, g in out]


def build(shared: Path, out: Path) -> dict[str, int]:
    """Write all layers into ``out``; returns the number of features per file."""
    out.mkdir(parents=True, exist_ok=True)
    areas, district = build_areas(shared)
    write_geojson(out / "stadsdelar.geojson",
                  [({"name": n, "stadsdelsomrade": DISTRICT}, g) for n, g in areas.items()])
    write_geojson(out / "district.geojson", [({"name": DISTRICT}, district)])
    city = gpd.read_file(shared / SRC["stockholm"])
    write_geojson(out / "stockholm_stadsdelar.geojson",
                  [({"name": title_name(str(n))}, snap(g))
                   for n, g in zip(city["name"], city.geometry, strict=True)])
    gtfs = gpd.read_file(shared / SRC["gtfs"])
    station = gtfs[gtfs["stop_id"].astype(str) == TELEFONPLAN_STOP].geometry.iloc[0]
    zones = build_zones(areas, station)
    write_geojson(out / "zones.geojson", zones)
    sites = finish_sites(build_sites(shared), district, areas)
    problems = check_named(sites, zones)
    if problems:
        sys.exit("Namngivna platser:\n" + "\n".join(problems))
    write_geojson(out / "sites.geojson",
                  [({k: v for k, v in s.items() if k != "geometry"}, s["geometry"])
                   for s in sites])
    water = build_water(shared)
    write_geojson(out / "water.geojson", water)
    counts = {"stadsdelar": len(areas), "district": 1, "stockholm_stadsdelar": len(city),
              "zones": len(zones), "sites": len(sites), "water": len(water)}
    for kind in KIND_ORDER:
        counts[f"sites.{kind}"] = sum(s["kind"] == kind for s in sites)
    site_names = {s["name"] for s in sites}  # measures link to a site by its exact name
    problems = check_content(ROOT / "data" / "geo" / "zones_content.json",
                             [p["name"] for p, _ in zones], site_names)
    for p in problems:
        print(f"VARNING zones_content.json: {p}", file=sys.stderr)
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Bygger data/geo/*.geojson (stadsdelar, distrikt, zoner, platser) "
                    "ur de delade källfilerna. / Builds the bundled district layers.")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                    help="katalogen med källdata (innehåller geo/ och PROVENANCE.md); "
                         "standard: ../shared/data från projektroten, annars kopian i "
                         "tests/data/shared/data")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "geo",
                    help="utkatalog; standard: data/geo i projektet")
    args = ap.parse_args(argv)
    if not (args.shared / "geo").is_dir():
        ap.error(f"hittar inte {args.shared / 'geo'}: ange källkatalogen med --shared")
    for name, n in build(args.shared, args.out).items():
        print(f"{name}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
