"""``mapapp init``, ``mapapp demo``, ``mapapp export`` and ``mapapp user``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_common(sub.add_parser(
        "init", help="skapa/migrera databasen och läs in distriktets data / create the store",
        description="Skapar eller migrerar databasen och läser in de medföljande "
                    "distriktsdata (stadsdelar, områden, platser, åtgärder ur protokollet). En "
                    "andra körning ändrar ingenting. / Creates or migrates the schema and loads "
                    "the bundled district data; a second run changes nothing."))
    p.set_defaults(func=cmd_init)

    p = add_common(sub.add_parser(
        "demo", help="lägg in syntetiska demopunkter / add synthetic demo points",
        description="Syntetiska händelser och observationer (source=demo) kring verkliga "
                    "platser 2019–2023. Samma --seed ger samma punkter; en andra körning lägger "
                    "inte till något. Skapar också demokonton om databasen saknar användare. / "
                    "Synthetic points around the real sites; also demo accounts when none exist."))
    p.add_argument("--incidents", type=int, default=20000, help="antal händelser (20000)")
    p.add_argument("--observations", type=int, default=2000, help="antal observationer (2000)")
    p.add_argument("--seed", type=int, default=1, help="slumpfrö / random seed (1)")
    p.add_argument("--if-empty", action="store_true",
                   help="bara om databasen saknar händelser / only when there are no incidents")
    p.set_defaults(func=cmd_demo)

    p = add_common(sub.add_parser(
        "export", help="exportera lager till GeoPackage/GeoJSON för QGIS / export for QGIS",
        description="Skriver lagren zones, stadsdelar, sites, incidents, observations och "
                    "measures (WGS84). .gpkg: en fil; .geojson: en fil per lager "
                    "(NAMN.lager.geojson). / Writes the layers for QGIS."))
    p.add_argument("file", type=Path, metavar="FIL", help="utfil .gpkg eller .geojson")
    p.set_defaults(func=cmd_export)

    p = add_common(sub.add_parser(
        "user", help="användare och roller / users and roles",
        description="Lägg till användare eller byt roll. Roller: lasare, vandrare, samordnare, "
                    "polis, admin. / Add users or change roles."))
    usub = p.add_subparsers(dest="user_command", required=True, metavar="ÅTGÄRD")
    a = add_common(usub.add_parser("add", help="ny användare / new user"))
    a.add_argument("name", help="användarnamn / user name")
    a.add_argument("--role", required=True, choices=("lasare", "vandrare", "samordnare", "polis",
                                                     "admin"))
    a.add_argument("--team", help="lag (för vandrare) / team")
    a.add_argument("--password", help="lösenord (annars genereras ett) / password")
    a.set_defaults(func=cmd_user_add)
    r = add_common(usub.add_parser("role", help="byt roll / change role"))
    r.add_argument("name")
    r.add_argument("--role", required=True, choices=("lasare", "vandrare", "samordnare", "polis",
                                                     "admin"))
    r.set_defaults(func=cmd_user_role)


def cmd_init(args: argparse.Namespace) -> int:
    from mapapp.store import init_store

    settings, engine = engine_from(args, require_schema=False)
    added = init_store(engine, CLI_PRINCIPAL)
    print(f"Databas / store: {engine.url.render_as_string(hide_password=True)}")
    print("Tillagt / added: " + ", ".join(f"{k} {v}" for k, v in added.items()))
    return 0


DEMO_USERS = (("admin", "admin", None), ("polis", "polis", None),
              ("samordnare", "samordnare", None), ("lasare", "lasare", None),
              ("vandrare", "vandrare", "lag-1"))
DEMO_PASSWORD = "demo-losen-2023"  # noqa: S105 -- public, demo accounts only


def cmd_demo(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from mapapp.auth import add_user, user_count
    from mapapp.demo import load_demo
    from mapapp.store.points import count_points

    settings, engine = engine_from(args)
    if args.if_empty and count_points(engine, "incident") > 0:
        print("Databasen har redan händelser; inga demodata tillagda. / Store has data already.")
    else:
        with tqdm(total=args.incidents + args.observations, unit="punkter", file=sys.stderr) as bar:
            last = {"n": 0}

            def progress(done: int, total: int) -> None:
                bar.update(done - last["n"])
                last["n"] = 0 if done >= total else done

            res = load_demo(engine, CLI_PRINCIPAL, incidents=args.incidents,
                            observations=args.observations, seed=args.seed, progress=progress)
        for kind, r in res.items():
            print(f"{kind}: {r.written} nya av {r.read} / {r.written} new of {r.read}")
    if user_count(engine) == 0:
        for name, role, team in DEMO_USERS:
            add_user(engine, CLI_PRINCIPAL, name, role, password=DEMO_PASSWORD, team=team)
        print("Demokonton / demo accounts: " + ", ".join(n for n, _, _ in DEMO_USERS)
              + f" – lösenord / password: {DEMO_PASSWORD}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from mapapp.io.export import export_file

    settings, engine = engine_from(args)
    for path in export_file(engine, CLI_PRINCIPAL, args.file):
        print(path)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from mapapp.auth import add_user

    settings, engine = engine_from(args)
    password = add_user(engine, CLI_PRINCIPAL, args.name, args.role, password=args.password,
                        team=args.team)
    print(f"Användare {args.name} ({args.role}) skapad. / User created.")
    if not args.password:
        print(f"Lösenord / password: {password}")
    return 0


def cmd_user_role(args: argparse.Namespace) -> int:
    from mapapp.auth import set_role

    settings, engine = engine_from(args)
    set_role(engine, CLI_PRINCIPAL, args.name, args.role)
    print(f"{args.name}: {args.role}")
    return 0
