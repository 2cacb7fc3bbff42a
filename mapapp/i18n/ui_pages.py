"""The Import and Statistik pages."""

MESSAGES: dict[str, tuple[str, str]] = {
    "imp.title": ("Importera data", "Import data"),
    "imp.intro": (
        "Läs in händelser, observationer, områden eller statistiktabeller. Hela filen kontrolleras "
        "innan något sparas: en fil med fel sparar ingenting (om du inte väljer att hoppa över "
        "felaktiga rader). Samma fil två gånger lägger inte till något. Format: se "
        "data/examples/README.md.",
        "Import incidents, observations, zones or statistics tables. The whole file is checked "
        "before anything is saved: a file with errors saves nothing (unless you choose to skip "
        "bad rows). The same file twice adds nothing. Formats: see data/examples/README.md."),
    "imp.kind": ("Vad innehåller filen?", "What does the file hold?"),
    "imp.kind.incidents": ("Händelser (brott)", "Incidents (crimes)"),
    "imp.kind.observations": ("Observationer", "Observations"),
    "imp.kind.zones": ("Områden (polygoner)", "Zones (polygons)"),
    "imp.kind.statistics": ("Statistiktabell (antal per period)",
                            "Statistics table (counts per period)"),
    "imp.file": ("Fil", "File"),
    "imp.crs": ("Koordinatsystem för x/y (t.ex. EPSG:3006)",
                "Coordinate system of x/y (e.g. EPSG:3006)"),
    "imp.layer": ("Lager eller blad (GeoPackage, zip, XLSX)", "Layer or sheet (GeoPackage, zip, XLSX)"),
    "imp.source": ("Källa (namn som raderna sparas under)", "Source (name the rows are stored under)"),
    "imp.skip_invalid": ("Hoppa över felaktiga rader (de sparas i en fil med avvisade rader)",
                         "Skip bad rows (they go to a file of rejected rows)"),
    "imp.keep_outside": ("Behåll punkter utanför distriktet", "Keep points outside the district"),
    "imp.repair": ("Reparera ogiltiga polygoner", "Repair invalid polygons"),
    "imp.extracted": ("Uttagsdatum", "Extract date"),
    "imp.preliminary": ("Preliminära siffror", "Preliminary figures"),
    "imp.year": ("År (för månadstabeller utan år)", "Year (for monthly tables without a year)"),
    "imp.preview": ("Förhandsvisning av de första raderna", "Preview of the first rows"),
    "imp.preview_failed": ("Kunde inte förhandsvisa filen: {error}", "Could not preview the file: {error}"),
    "imp.run": ("Importera", "Import"),
    "imp.progress": ("Importerar … {done} av {total} rader", "Importing … {done} of {total} rows"),
    "imp.rejected": ("Filen avvisades – ingenting sparades. Rätta följande och försök igen:",
                     "The file was rejected – nothing was saved. Fix the following and try again:"),
    "imp.done": ("Klart.", "Done."),
    "imp.rejects_download": ("Ladda ner avvisade rader (CSV)", "Download rejected rows (CSV)"),
    "imp.col.row": ("Rad", "Row"),
    "imp.col.field": ("Fält", "Field"),
    "imp.col.message": ("Vad är fel och vad göra", "What is wrong and what to do"),
    "stat.title": ("Statistik", "Statistics"),
    "stat.intro": (
        "Tabellsiffror som rådet får från polisen och staden (anmälda brott per period), bredvid "
        "antalen som räknats från punkterna i kartan. De är olika källor och märks tydligt.",
        "Table figures the council receives from the police and the city (reported crimes per "
        "period), beside the counts made from the points on the map. They are different sources "
        "and are labelled as such."),
    "stat.none": ("Inga statistiktabeller är inlästa ännu. Läs in en under Import.",
                  "No statistics tables have been imported yet. Import one on the Import page."),
    "stat.area": ("Område", "Area"),
    "stat.category": ("Kategori", "Category"),
    "stat.table_figures": ("Tabellsiffror (källa: {source})", "Table figures (source: {source})"),
    "stat.point_figures": ("Räknat från punkter i kartan", "Counted from points on the map"),
    "stat.provenance": ("Tabell: {table} · källa: {source} · uttag: {extracted} · {status}",
                        "Table: {table} · source: {source} · extract: {extracted} · {status}"),
    "stat.preliminary": ("preliminära", "preliminary"),
    "stat.final": ("slutliga", "final"),
    "stat.chart": ("Per period", "Per period"),
    "stat.comparison": ("Jämförelseområden", "Comparison areas"),
    "stat.change": ("Förändring mot föregående period", "Change from the previous period"),
    "stat.map": ("Karta per stadsdel/område (senaste period)",
                 "Map by stadsdel/zone (latest period)"),
    "stat.map_none": ("Tabellen har inga siffror per stadsdel eller område att visa på karta.",
                      "The table has no figures per stadsdel or zone to map."),
    "stat.col.period": ("Period", "Period"),
    "stat.col.count": ("Antal", "Count"),
    "stat.col.change": ("Förändring", "Change"),
    "stat.col.source": ("Källa", "Source"),
    "stat.col.area": ("Område", "Area"),
}
