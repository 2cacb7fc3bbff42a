"""Categories of incidents and observations: stable codes with Swedish and English labels.

A category is accepted by its code or by its Swedish or English label, case-insensitively
(:func:`resolve`). ``vald_nara_relation`` and ``bedrageri_aldre`` are *sensitive*: never shown
as points to roles other than police, only as counts per zone or grid cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mapapp.values import fold

Kind = Literal["incident", "observation"]


@dataclass(frozen=True)
class Category:
    code: str
    sv: str
    en: str
    sensitive: bool = False
    owner: str | None = None  # who to contact at the follow-up meeting (observations)

    def label(self, *, lang: str = "sv") -> str:
        return self.sv if lang == "sv" else self.en


INCIDENT_CATEGORIES: tuple[Category, ...] = (
    Category("narkotikabrott", "Narkotikabrott", "Drug offences"),
    Category("vald_offentlig_miljo", "Våld i offentlig miljö", "Violence in public places"),
    Category("vald_nara_relation", "Våld i nära relation", "Domestic violence", sensitive=True),
    Category("personran", "Personrån", "Robbery of a person"),
    Category(
        "bedrageri_aldre",
        "Bedrägeri mot äldre/funktionsnedsatta",
        "Fraud against elderly/disabled people",
        sensitive=True,
    ),
    Category("skadegorelse", "Skadegörelse", "Criminal damage"),
    Category("inbrott", "Inbrott", "Burglary"),
    Category("stold", "Stöld", "Theft"),
    Category("ordningsstorning", "Ordningsstörning", "Public disorder"),
    Category("ovrigt", "Övrigt", "Other"),
)

OBSERVATION_CATEGORIES: tuple[Category, ...] = (
    Category("belysning", "Belysning", "Lighting", owner="Trafikkontoret (Tyck till)"),
    Category("vegetation", "Skymd sikt/vegetation", "Blocked view/vegetation",
             owner="Trafikkontoret / fastighetsägaren"),
    Category("klotter", "Klotter", "Graffiti", owner="Trafikkontoret / fastighetsägaren"),
    Category("skadegorelse", "Skadegörelse", "Vandalism", owner="Fastighetsägaren"),
    Category("nedskrapning", "Nedskräpning", "Litter", owner="Trafikkontoret (Tyck till)"),
    Category("missbruk", "Sprutor/missbruk", "Needles/drug use", owner="Polisen / socialtjänsten"),
    Category("samlingsplats", "Samlingsplats/häng", "Gathering place",
             owner="Polisen / fältassistenter"),
    Category("otrygg_passage", "Otrygg passage/tunnel", "Unsafe passage/tunnel",
             owner="Trafikkontoret"),
    Category("trafik", "Trafik", "Traffic", owner="Trafikkontoret"),
    Category("olovlig_bosattning", "Olovlig bosättning", "Unauthorised settlement",
             owner="Stadsdelsförvaltningen"),
    Category("trygg_plats", "Trygg plats", "Safe place", owner="Stadsdelsförvaltningen"),
    Category("ovrigt", "Övrigt", "Other", owner="Stadsdelsförvaltningen"),
)

SENSITIVE_CODES: frozenset[str] = frozenset(c.code for c in INCIDENT_CATEGORIES if c.sensitive)


def categories(kind: Kind) -> tuple[Category, ...]:
    return INCIDENT_CATEGORIES if kind == "incident" else OBSERVATION_CATEGORIES


def _index(kind: Kind) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in categories(kind):
        for key in (c.code, c.sv, c.en):
            out[fold(key)] = c.code
    return out


_INDEX: dict[str, dict[str, str]] = {k: _index(k) for k in ("incident", "observation")}  # type: ignore[arg-type]


def resolve(kind: Kind, text: str | None) -> str | None:
    """The code for ``text`` (a code or a Swedish/English label, any case), or None.

    >>> resolve("incident", "Våld i offentlig miljö")
    'vald_offentlig_miljo'
    >>> resolve("incident", "  NARKOTIKABROTT ")
    'narkotikabrott'
    >>> resolve("incident", "") is None
    True
    """
    if text is None:
        return None
    return _INDEX[kind].get(fold(str(text)))


def get(kind: Kind, code: str) -> Category:
    for c in categories(kind):
        if c.code == code:
            return c
    raise KeyError(code)


def label(kind: Kind, code: str, *, lang: str = "sv") -> str:
    """The label of ``code``; an unknown code (e.g. a Police event type kept as text) is
    returned as it is."""
    try:
        return get(kind, code).label(lang=lang)
    except KeyError:
        return code


def is_sensitive(code: str | None) -> bool:
    return code in SENSITIVE_CODES


def allowed_list(kind: Kind, *, lang: str = "sv") -> str:
    """"narkotikabrott (Narkotikabrott), …" for error messages."""
    return ", ".join(f"{c.code} ({c.label(lang=lang)})" for c in categories(kind))


@dataclass(frozen=True)
class AllowedCategories:
    """The allowed categories of ``kind`` as a message parameter: data until an edge renders
    it (:func:`allowed_list` in the user's language).

    >>> AllowedCategories("observation").text("en").split(", ")[0]
    'belysning (Lighting)'
    """

    kind: Kind

    def text(self, lang: str | None = "sv") -> str:
        return allowed_list(self.kind, lang=lang or "sv")


# The ten city-wide priority areas (prioriterade samverkansområden) of the agreement.
PRIORITY_AREAS: tuple[str, ...] = (
    "Riktat arbete mot avgränsade platser och utsatta områden",
    "Unga i risk för kriminalitet",
    "Avhopparverksamhet för kriminella",
    "Särskilt utsatta och sårbara brottsoffer",
    "Otillåten påverkan",
    "Skolan som brottsplats",
    "Arbetet mot våldsbejakande extremism",
    "Otillåtna bosättningar",
    "Ordningsvakter",
    "Kamerabevakning",
)
LOCAL_PRIORITIES: tuple[str, ...] = (PRIORITY_AREAS[0], PRIORITY_AREAS[1], PRIORITY_AREAS[5])

MEASURE_STATUSES: tuple[str, ...] = ("planerad", "pagaende", "genomford", "avbruten")
MEASURE_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "planerad": ("Planerad", "Planned"),
    "pagaende": ("Pågående", "In progress"),
    "genomford": ("Genomförd", "Done"),
    "avbruten": ("Avbruten", "Cancelled"),
}
WALK_STATUSES: tuple[str, ...] = ("planerad", "genomford", "uppfoljd")
OBSERVATION_STATUSES: tuple[str, ...] = ("ny", "skickad", "atgardad", "inte_atgardad")
RATING_KEYS: tuple[str, ...] = ("belysning", "oppenhet", "synlighet", "folkliv", "trygghetskansla")

SEED_ACTORS: tuple[str, ...] = (
    "LPO Skärholmen",
    "LPO Globen",
    "Hägersten-Älvsjö SDF",
    "Hägersten-Älvsjö SDF – individ- och familjeomsorg",
    "Hägersten-Älvsjö SDF – samhällsplanering",
    "Hägersten-Älvsjö SDF – säkerhetssamordnare",
    "Hägersten-Älvsjö SDF – trygghetsstrateg",
    "Utbildningsförvaltningen",
    "Trafikkontoret",
    "Citycon",
    "SHIS",
    "Svenska Bostäder",
    "Företagarföreningen",
    "Föreningar",
)
