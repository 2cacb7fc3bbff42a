"""Area snapshots for the council's minutes (DOCX/PDF/HTML/PNG), the CLI and the page."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Document
    "snapshot.title": ("Lägesbild {area}", "Situation picture {area}"),
    "snapshot.district": ("Hägersten-Älvsjö (hela stadsdelsområdet)",
                          "Hägersten-Älvsjö (the whole district)"),
    "snapshot.meta.area": ("Område", "Area"),
    "snapshot.meta.period": ("Period", "Period"),
    "snapshot.meta.exported": ("Exportdatum", "Export date"),
    "snapshot.meta.since": ("Observationer sedan", "Observations since"),
    "snapshot.h.lagesbild": ("Lägesbild", "Lägesbild (situation picture)"),
    "snapshot.h.priorities": ("Prioriterade områden, insatser, uppföljning",
                              "Prioriterade områden, insatser, uppföljning (priorities, "
                              "measures, follow-up)"),
    "snapshot.h.map": ("Karta", "Map"),
    "snapshot.h.counts_incident": ("Anmälda brott per kategori", "Reported crimes by category"),
    "snapshot.h.counts_observation": ("Observationer per kategori",
                                      "Observations by category"),
    "snapshot.h.hotspots": ("Flaggade platser", "Flagged places"),
    "snapshot.h.measures": ("Insatser", "Measures"),
    "snapshot.h.observations": ("Observationer sedan {date}", "Observations since {date}"),
    "snapshot.h.statistics": ("Statistiktabeller", "Statistics tables"),
    "snapshot.col.category": ("Kategori", "Category"),
    "snapshot.col.change": ("Förändring", "Change"),
    "snapshot.col.change_pct": ("Förändring %", "Change %"),
    "snapshot.col.place": ("Plats", "Place"),
    "snapshot.col.site_kind": ("Typ", "Kind"),
    "snapshot.col.reason": ("Skäl", "Reason"),
    "snapshot.col.zone": ("Område", "Zone"),
    "snapshot.col.measure": ("Insats", "Measure"),
    "snapshot.col.actor": ("Ansvarig", "Responsible"),
    "snapshot.col.status": ("Status", "Status"),
    "snapshot.col.due": ("Klart senast", "Due"),
    "snapshot.col.date": ("Datum", "Date"),
    "snapshot.col.note": ("Anteckning", "Note"),
    "snapshot.col.area": ("Område", "Area"),
    "snapshot.col.priority_area": ("Prioriterat område", "Priority area"),
    "snapshot.meta.priority_areas": ("Prioriterade områden", "Priority areas"),
    "snapshot.meta.goals": ("Mål", "Goals"),
    "snapshot.meta.actors": ("Aktörer", "Actors"),
    "snapshot.overdue": ("{date} (försenad)", "{date} (overdue)"),
    "snapshot.note.suppressed": (
        "Antal under {n} skrivs \"<{n}\"; förändringen visas bara när båda antalen visas.",
        "Counts below {n} are written \"<{n}\"; the change is shown only when both counts are.",
    ),
    "snapshot.note.sensitive": (
        "* Känslig kategori: redovisas bara som antal, aldrig som punkter.",
        "* Sensitive category: reported only as counts, never as points.",
    ),
    "snapshot.note.no_hotspots": ("Inga platser flaggade under perioden.",
                                  "No places flagged in the period."),
    "snapshot.note.no_measures": ("Inga insatser registrerade.", "No measures recorded."),
    "snapshot.note.no_observations": ("Inga observationer sedan {date}.",
                                      "No observations since {date}."),
    "snapshot.note.observations_capped": (
        "Visar de {shown} senaste av {total} observationer.",
        "Showing the latest {shown} of {total} observations.",
    ),
    "snapshot.note.hotspot_rule": (
        "En plats flaggas när minst {min_count} punkter inom {radius} m och minst {k} × "
        "distriktets genomsnittliga täthet (känsliga kategorier räknas inte).",
        "A place is flagged with at least {min_count} points within {radius} m and at least "
        "{k} × the district's mean density (sensitive categories are not counted).",
    ),
    "snapshot.note.statistics_source": ("Källa: {source}, uttag {extracted}{prelim}.",
                                        "Source: {source}, extract {extracted}{prelim}."),
    "snapshot.note.preliminary": (", preliminära siffror", ", preliminary figures"),
    "snapshot.note.notes_included": ("Fritextanteckningar är medtagna på begäran.",
                                     "Free-text notes are included on request."),
    "snapshot.site_kind.school": ("Skola", "School"),
    "snapshot.site_kind.preschool": ("Förskola", "Pre-school"),
    "snapshot.site_kind.station": ("Station", "Station"),
    "snapshot.site_kind.playground": ("Lekplats", "Playground"),
    "snapshot.site_kind.centre": ("Centrum", "Centre"),
    "snapshot.site_kind.address": ("Adress", "Address"),
    # Map
    "snapshot.map.zone": ("Området", "The zone"),
    "snapshot.map.zones": ("Platssamverkansområden", "Place-collaboration zones"),
    "snapshot.map.stadsdelar": ("Stadsdelar", "Stadsdelar (city districts)"),
    "snapshot.map.sites": ("Platser", "Places"),
    "snapshot.map.flagged": ("Flaggad plats", "Flagged place"),
    "snapshot.map.incidents": ("Anmälda brott", "Reported crimes"),
    "snapshot.map.observations": ("Observationer", "Observations"),
    "snapshot.map.cells": ("Brott och observationer per {size} m-ruta",
                           "Crimes and observations per {size} m cell"),
    "snapshot.map.source_outlines": ("Källa: Stockholms stad", "Source: Stockholms stad"),
    "snapshot.map.source_osm_sites": ("Platser: © OpenStreetMap-bidragsgivare (ODbL)",
                                      "Places: © OpenStreetMap contributors (ODbL)"),
    "snapshot.map.source_gtfs": ("Stationer: Trafiklab/Samtrafiken",
                                 "Stations: Trafiklab/Samtrafiken"),
    "snapshot.map.source_tiles": ("Bakgrund: {attribution}", "Background: {attribution}"),
    "snapshot.map.no_sensitive": ("Känsliga kategorier visas inte på kartan.",
                                  "Sensitive categories are not shown on the map."),
    # Errors
    "snapshot.bad_format": (
        "Okänt filformat {suffix}: välj .docx, .pdf, .html eller .png.",
        "Unknown file format {suffix}: choose .docx, .pdf, .html or .png.",
    ),
    "snapshot.bad_dpi": ("Upplösningen måste vara 50–600 dpi, inte {dpi}.",
                         "The resolution must be 50–600 dpi, not {dpi}."),
    "snapshot.bad_since": ("Datumet {date} kan inte läsas: skriv ÅÅÅÅ-MM-DD.",
                           "The date {date} cannot be read: write YYYY-MM-DD."),
    "snapshot.no_data": (
        "Det finns inga punkter att bestämma senaste statistikår från: ange --period.",
        "There are no points to find the latest statistical year from: give --period.",
    ),
    "snapshot.written": ("Skrev {path}", "Wrote {path}"),
    # CLI
    "snapshot.cli.help": ("lägesbild för protokollet (DOCX/PDF/HTML/PNG)",
                          "area snapshot for the minutes (DOCX/PDF/HTML/PNG)"),
    "snapshot.cli.description": (
        "Skriver en lägesbild för ett område (eller hela stadsdelsområdet) till protokollet: "
        "karta, antal per kategori för de tre senaste perioderna med förändring, flaggade "
        "platser med skäl, insatser och observationer sedan ett datum. Antal under "
        "MAPAPP_SUPPRESS_BELOW skrivs \"<5\"; känsliga kategorier bara som antal; "
        "fritext bara med --include-notes. Formatet väljs av filändelsen.",
        "Writes an area snapshot for the minutes: map, counts per category for the last three "
        "periods with change, flagged places with reasons, measures and observations since a "
        "date. Counts below MAPAPP_SUPPRESS_BELOW are written \"<5\"; sensitive categories "
        "only as counts; free text only with --include-notes. The file suffix picks the format.",
    ),
    "snapshot.cli.zone": ("områdets namn (utelämna för hela stadsdelsområdet)",
                          "zone name (omit for the whole district)"),
    "snapshot.cli.period": ("period, t.ex. 2021-2022 (standard: senaste statistikåret)",
                            "period, e.g. 2021-2022 (default: the latest statistical year)"),
    "snapshot.cli.since": ("observationer från detta datum, ÅÅÅÅ-MM-DD (standard: 6 mån. sedan)",
                           "observations since this date, YYYY-MM-DD (default: 6 months ago)"),
    "snapshot.cli.notes": ("ta med fritextanteckningar (offentlig handling!)",
                           "include free-text notes (public record!)"),
    "snapshot.cli.dpi": ("kartans upplösning i dpi (150; 300 för tryck)",
                         "map resolution in dpi (150; 300 for print)"),
    "snapshot.cli.tiles": ("bakgrundskarta från den inställda kartserver (MAPAPP_BASEMAP), "
                           "om den nås",
                           "background tiles from the configured tile server (MAPAPP_BASEMAP), "
                           "when reachable"),
    "snapshot.cli.out": ("utfil .docx, .pdf, .html eller .png", "output .docx, .pdf, .html or .png"),
    # Page
    "snapshot.page.title": ("Export till protokollet", "Export for the minutes"),
    "snapshot.page.intro": (
        "Välj område, period och format. Dokumentet är en offentlig handling: små antal skrivs "
        "\"<{n}\", känsliga kategorier visas bara som antal och fritext tas bara med om du "
        "väljer det. Varje export loggas.",
        "Choose area, period and format. The document is a public record: small counts are "
        "written \"<{n}\", sensitive categories appear only as counts, and free text only if "
        "you choose it. Every export is logged.",
    ),
    "snapshot.page.area": ("Område", "Area"),
    "snapshot.page.whole": ("Hela stadsdelsområdet", "The whole district"),
    "snapshot.page.period": ("Period", "Period"),
    "snapshot.page.since": ("Observationer sedan (senaste mötet)",
                            "Observations since (the last meeting)"),
    "snapshot.page.format": ("Format", "Format"),
    "snapshot.page.notes": ("Ta med fritextanteckningar", "Include free-text notes"),
    "snapshot.page.hires": ("Karta i 300 dpi", "Map at 300 dpi"),
    "snapshot.page.preview": ("Förhandsgranska", "Preview"),
    "snapshot.page.create": ("Skapa dokument", "Create document"),
    "snapshot.page.download": ("Ladda ner {name}", "Download {name}"),
    "snapshot.page.created": ("Dokumentet är skapat och exporten loggad.",
                              "The document is created and the export logged."),
    "snapshot.page.button": ("Lägesbild till protokollet", "Snapshot for the minutes"),
}
