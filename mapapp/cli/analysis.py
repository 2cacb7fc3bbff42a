"""``mapapp stats`` and ``mapapp hotspots``: the lägesbild figures of :mod:`mapapp.analysis`."""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from, format_table


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_common(sub.add_parser(
        "stats", help="antal per område, kategori och period / counts per zone and period",
        description=(
            "Antal per område × kategori × period, med förändring mot samma dagar ett år "
            "tidigare och dess signifikans (tvåstickprovstest för Poissonfördelade antal, "
            "MAPAPP_CONFIDENCE_LEVEL, standard 95 %%). En period som data inte täcker till "
            "slutet markeras ofullständig och jämförs bara med samma månader året innan. "
            "Statistikår 1 sep–31 aug (startmånad: MAPAPP_STAT_YEAR_START_MONTH), kalenderår "
            "eller rullande 12 månader; tider i Europe/Stockholm. JSON/CSV: {zone, category, "
            "period, kind, count, complete, previous, change, change_pct, p_value, "
            "significant, trend}; previous/change/p_value/significant null för första "
            "perioden; zone null = utanför alla områden. / Counts per zone x category x "
            "period with the tested change."),
    ))
    p.add_argument("--zone", metavar="NAMN", help="bara detta område / only this zone")
    p.add_argument("--period-kind", choices=("statistical", "calendar", "rolling12"),
                   default="statistical", help="periodtyp (statistical) / period kind")
    p.add_argument("--kind", choices=("incident", "observation", "all"), default="incident",
                   help="anmälda brott (incident, standard), trygghetsvandringarnas observationer "
                        "(observation) eller båda som separata rader (all) -- aldrig summerade "
                        "/ reported crimes (default), walk observations, or both apart")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="utformat (table) / output format")
    p.set_defaults(func=cmd_stats)

    p = add_common(sub.add_parser(
        "hotspots", help="hotspots vid platser eller i rutnät (Gi*) / site or grid hotspots",
        description=(
            "--kind sites: en feature per plats (skola, centrum, station, lekplats, adress) med "
            "name, kind, count, flagged och reason; flaggas när antalet inom radien "
            "(MAPAPP_SITE_RADIUS_M) är minst MAPAPP_HOTSPOT_MIN_COUNT och tätheten minst "
            "MAPAPP_HOTSPOT_K gånger distriktets snitt för samma period och tidsband. "
            "--kind grid: Getis-Ord Gi* över ett rutnät (MAPAPP_GRID_SIZE_M), varje ruta med "
            "count, z och class (hot/cold 90/95/99 %%); queen-grannar, binära vikter, rutan "
            "själv inräknad. / Site flags or Gi* grid hotspots."),
    ))
    p.add_argument("--period", metavar="PERIOD",
                   help="t.ex. 2021-2022 (standard: senaste statistikåret med data)")
    p.add_argument("--kind", choices=("sites", "grid"), default="sites",
                   help="platser eller rutnät (sites) / sites or grid")
    p.add_argument("--points", choices=("all", "incident", "observation"), default="all",
                   help="vilka punkter som räknas (all)")
    p.add_argument("--format", choices=("geojson", "csv"), default="geojson",
                   help="utformat (geojson)")
    p.set_defaults(func=cmd_hotspots)


def _points(engine, kinds: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    from mapapp.store.points import load_points

    wanted = ("incident", "observation") if kinds == "all" else (kinds,)
    frames = [load_points(engine, CLI_PRINCIPAL, k) for k in wanted]  # type: ignore[arg-type]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _measures(engine) -> pd.DataFrame | None:  # type: ignore[no-untyped-def]
    try:
        from mapapp.measures import measures_frame
    except ImportError:
        return None
    return measures_frame(engine, CLI_PRINCIPAL)


def cmd_stats(args: argparse.Namespace) -> int:
    from mapapp.analysis.stats import RECORD_KEYS, frame_records, to_csv_rows
    from mapapp.render.figures import stats_table
    from mapapp.store.district import zones_frame
    from mapapp.store.kindcounts import kind_counts

    settings, engine = engine_from(args)
    kinds = ("incident", "observation") if args.kind == "all" else (args.kind,)
    zones = zones_frame(engine)
    records = []
    frames = []
    for kind in kinds:  # each kind apart: never added up
        frame = kind_counts(engine, CLI_PRINCIPAL, kind, zones=zones, zone=args.zone,
                            period_kind=args.period_kind,
                            stat_year_start_month=settings.stat_year_start_month,
                            confidence=settings.confidence_level)
        records += frame_records(frame, kind)
        frames.append(frame.assign(kind=kind))
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.format == "csv":
        import csv

        csv.writer(sys.stdout).writerows(to_csv_rows(records, RECORD_KEYS))
    else:
        both = pd.concat(frames, ignore_index=True)
        if len(kinds) == 1:
            both = both.drop(columns=["kind"])
        header, rows = stats_table(both, lang=settings.lang)
        sys.stdout.write(format_table(header, rows))
    return 0


def cmd_hotspots(args: argparse.Namespace) -> int:
    from mapapp.analysis.stats import to_csv_rows
    from mapapp.store.district import district_outline, sites_frame, zones_frame

    settings, engine = engine_from(args)
    measures = _measures(engine)
    if args.kind == "sites":
        from mapapp.analysis.sites import sites_geojson

        points = _points(engine, args.points)
        fc = sites_geojson(points, sites_frame(engine), district_outline(engine),
                           period=args.period, measures=measures,
                           stat_year_start_month=settings.stat_year_start_month,
                           radius_m=settings.site_radius_m, min_count=settings.hotspot_min_count,
                           k=settings.hotspot_k, lang=settings.lang)
    else:
        from mapapp.analysis.grid import build_grid, grid_geojson
        from mapapp.store.aggregates import grid_hotspots_for

        grid = build_grid(district_outline(engine), cell_size_m=settings.grid_size_m)
        kinds = ("incident", "observation") if args.points == "all" else (args.points,)
        result = grid_hotspots_for(engine, CLI_PRINCIPAL, grid, args.period, kinds=kinds,
                                   stat_year_start_month=settings.stat_year_start_month)
        fc = grid_geojson(grid, result, measures=measures, zones=zones_frame(engine),
                          sites=sites_frame(engine), lang=settings.lang)
    if args.format == "csv":
        import csv

        csv.writer(sys.stdout).writerows(to_csv_rows(fc))
    else:
        json.dump(fc, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0
