"""Import messages: files, rows, coordinates, categories, times, zones, police events, tables."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Where a problem is.
    "io.where.row": ("rad {n}", "row {n}"),
    "io.where.feature": ("objekt {n}", "feature {n}"),
    "io.where.event": ("händelse {n} (id {id})", "event {n} (id {id})"),
    "io.where.cell": ("rad {n}, kolumn {col}", "row {n}, column {col}"),
    # The file as a whole.
    "io.file.not_found": ("Filen finns inte: {path}", "The file does not exist: {path}"),
    "io.file.too_large": (
        "Filen är för stor ({size} MB; högst {limit} MB). Dela upp den i mindre filer.",
        "The file is too large ({size} MB; at most {limit} MB). Split it into smaller files.",
    ),
    "io.file.unknown_format": (
        "Okänt filformat: {name}. Använd CSV, XLSX, GeoJSON, GeoPackage (.gpkg), zippad "
        "Shapefile (.zip) eller Polisens händelse-JSON.",
        "Unknown file format: {name}. Use CSV, XLSX, GeoJSON, GeoPackage (.gpkg), a zipped "
        "Shapefile (.zip) or the Police events JSON.",
    ),
    "io.file.empty": ("Filen innehåller inga rader.", "The file contains no rows."),
    "io.file.unreadable": (
        "Filen går inte att läsa som {fmt}: {detail}",
        "The file cannot be read as {fmt}: {detail}",
    ),
    "io.file.encoding_fallback": (
        "Filen är inte UTF-8; den lästes som Windows-1252 (äldre Excel). Spara som "
        "\"CSV UTF-8\" nästa gång.",
        "The file is not UTF-8; it was read as Windows-1252 (older Excel). Save as "
        "\"CSV UTF-8\" next time.",
    ),
    "io.file.missing_column": (
        "Kolumnen {column} saknas (godtagna namn: {names}). Kolumner i filen: {found}.",
        "The column {column} is missing (accepted names: {names}). Columns in the file: {found}.",
    ),
    "io.file.missing_coords": (
        "Koordinater saknas: filen behöver kolumnerna lat och lon (WGS84) eller x och y med "
        "--crs. Kolumner i filen: {found}.",
        "Coordinates are missing: the file needs the columns lat and lon (WGS84) or x and y "
        "with --crs. Columns in the file: {found}.",
    ),
    "io.file.duplicate_column": (
        "Kolumnerna {columns} betyder samma sak ({column}). Ta bort en av dem.",
        "The columns {columns} mean the same thing ({column}). Remove one of them.",
    ),
    "io.file.ignored_columns": (
        "Kolumner som inte används: {columns}.",
        "Columns not used: {columns}.",
    ),
    "io.file.no_sheet": (
        "Bladet {sheet} finns inte. Blad i filen: {sheets}.",
        "The sheet {sheet} does not exist. Sheets in the file: {sheets}.",
    ),
    "io.file.rejected": (
        "Filen avvisades: {bad} av {total} rader har fel. Inget har sparats. Rätta raderna "
        "nedan, eller importera de giltiga raderna med --skip-invalid.",
        "The file was rejected: {bad} of {total} rows have errors. Nothing was saved. Correct "
        "the rows below, or import the valid rows with --skip-invalid.",
    ),
    "io.file.rejected_file": (
        "Filen avvisades. Inget har sparats.",
        "The file was rejected. Nothing was saved.",
    ),
    "io.file.crs_bad": (
        "Okänt koordinatsystem: {crs}. Skriv t.ex. EPSG:3006 (SWEREF 99 TM) eller EPSG:3011 "
        "(SWEREF 99 18 00).",
        "Unknown coordinate reference system: {crs}. Write e.g. EPSG:3006 (SWEREF 99 TM) or "
        "EPSG:3011 (SWEREF 99 18 00).",
    ),
    "io.kind.bad": (
        "Okänd importtyp: {kind}. Tillåtna: {allowed}.",
        "Unknown import kind: {kind}. Allowed: {allowed}.",
    ),
    # Coordinate reference systems.
    "io.crs.guessed": (
        "Koordinaterna saknar angivet koordinatsystem; de tolkades som {crs} eftersom alla "
        "punkter då hamnar i Stockholm. Ange --crs om det är fel.",
        "The coordinates have no stated reference system; they were read as {crs} because "
        "every point then lies in Stockholm. Give --crs if that is wrong.",
    ),
    "io.crs.degrees": (
        "Kolumnerna x/y innehåller grader; de lästes som longitud/latitud (WGS84).",
        "The x/y columns hold degrees; they were read as longitude/latitude (WGS84).",
    ),
    "io.crs.unknown": (
        "Koordinaterna (t.ex. {example}) ser ut att vara projicerade (meter), men inget "
        "koordinatsystem är angivet och det går inte att avgöra vilket. Ange --crs, t.ex. "
        "--crs EPSG:3006 (SWEREF 99 TM) eller --crs EPSG:3011 (SWEREF 99 18 00).",
        "The coordinates (e.g. {example}) look projected (metres), but no reference system is "
        "given and it cannot be told which. Give --crs, e.g. --crs EPSG:3006 (SWEREF 99 TM) "
        "or --crs EPSG:3011 (SWEREF 99 18 00).",
    ),
    "io.crs.transformed": (
        "Koordinaterna räknades om från {crs} till WGS84.",
        "The coordinates were transformed from {crs} to WGS84.",
    ),
    # Rows: coordinates.
    "io.row.coord_missing": (
        "{where}: {field} saknas – fyll i koordinaten.",
        "{where}: {field} is missing – fill in the coordinate.",
    ),
    "io.row.coord_not_number": (
        "{where}: {field} '{value}' är inget tal – skriv t.ex. 59.3123 (punkt eller komma).",
        "{where}: {field} '{value}' is not a number – write e.g. 59.3123 (point or comma).",
    ),
    "io.row.coord_not_finite": (
        "{where}: {field} '{value}' är inget ändligt tal – ange en riktig koordinat.",
        "{where}: {field} '{value}' is not a finite number – give a real coordinate.",
    ),
    "io.row.swapped": (
        "{where}: {a} {va} och {b} {vb} ser omkastade ut – byt plats på kolumnerna?",
        "{where}: {a} {va} and {b} {vb} look swapped – swap the columns?",
    ),
    "io.row.coord_range": (
        "{where}: lat {lat} / lon {lon} ligger utanför jordens gradnät – är det projicerade "
        "koordinater? Ange i så fall x/y med --crs.",
        "{where}: lat {lat} / lon {lon} lie outside the globe's degrees – are they projected "
        "coordinates? Then give x/y with --crs.",
    ),
    "io.row.outside": (
        "{where}: punkten ({lon}, {lat}) ligger utanför Hägersten-Älvsjö – kontrollera "
        "koordinaterna, eller behåll den som utanför distriktet med --keep-outside.",
        "{where}: the point ({lon}, {lat}) lies outside Hägersten-Älvsjö – check the "
        "coordinates, or keep it as outside the district with --keep-outside.",
    ),
    "io.row.geometry_not_point": (
        "{where}: geometrin är {geom_type}, inte en punkt – importera punkter här "
        "(områden importeras med 'mapapp import zones').",
        "{where}: the geometry is {geom_type}, not a point – import points here (areas are "
        "imported with 'mapapp import zones').",
    ),
    "io.row.geometry_missing": (
        "{where}: geometri saknas – rita in objektet eller ta bort det.",
        "{where}: the geometry is missing – draw the feature or remove it.",
    ),
    # Rows: other fields.
    "io.row.category_missing": (
        "{where}: kategori saknas – tillåtna: {allowed}.",
        "{where}: the category is missing – allowed: {allowed}.",
    ),
    "io.row.category_unknown": (
        "{where}: okänd kategori '{value}' – använd en av: {allowed}.",
        "{where}: unknown category '{value}' – use one of: {allowed}.",
    ),
    "io.row.time_missing": (
        "{where}: tidpunkt saknas – skriv t.ex. 2024-03-05 21:14.",
        "{where}: the time is missing – write e.g. 2024-03-05 21:14.",
    ),
    "io.row.time_bad": (
        "{where}: tidpunkten '{value}' går inte att läsa – skriv t.ex. 2024-03-05 21:14 eller "
        "2024-03-05T21:14:00+01:00.",
        "{where}: the time '{value}' cannot be read – write e.g. 2024-03-05 21:14 or "
        "2024-03-05T21:14:00+01:00.",
    ),
    "io.row.time_future": (
        "{where}: tidpunkten {value} ligger i framtiden – kontrollera datumet.",
        "{where}: the time {value} lies in the future – check the date.",
    ),
    "io.row.id_repeated": (
        "{where}: id '{value}' finns redan på rad {first} – varje rad behöver ett eget id.",
        "{where}: id '{value}' is already on row {first} – every row needs its own id.",
    ),
    "io.row.rating_bad": (
        "{where}: betyget {field} '{value}' ska vara ett heltal 0–3.",
        "{where}: the rating {field} '{value}' must be a whole number 0–3.",
    ),
    "io.row.accuracy_bad": (
        "{where}: noggrannheten '{value}' är inget tal (meter).",
        "{where}: the accuracy '{value}' is not a number (metres).",
    ),
    "io.row.id_missing": (
        "{where}: {field} saknas – exportera igen med metadata (instanceID/_uuid).",
        "{where}: {field} is missing – export again with metadata (instanceID/_uuid).",
    ),
    "io.row.geopoint_bad": (
        "{where}: geopunkten '{value}' går inte att läsa – väntade 'lat lon höjd noggrannhet'.",
        "{where}: the geopoint '{value}' cannot be read – expected 'lat lon altitude accuracy'.",
    ),
    # Reports.
    "io.report.summary": (
        "{kind}: {read} rader lästa, {written} sparade, {duplicates} fanns redan, {rejected} "
        "avvisade, {unplaced} utan plats, {outside} utanför distriktet.",
        "{kind}: {read} rows read, {written} saved, {duplicates} already there, {rejected} "
        "rejected, {unplaced} unplaced, {outside} outside the district.",
    ),
    "io.report.per_category": ("Sparade per kategori: {counts}", "Saved per category: {counts}"),
    "io.report.rejects": (
        "Avvisade rader med orsak: {path}",
        "Rejected rows with their reason: {path}",
    ),
    "io.report.zones": (
        "Områden: {added} nya, {updated} ändrade, {unchanged} oförändrade; {repaired} "
        "reparerade; {points} punkter fick nytt område.",
        "Zones: {added} new, {updated} changed, {unchanged} unchanged; {repaired} repaired; "
        "{points} points got a new zone.",
    ),
    "io.report.poor_accuracy": (
        "{n} observationer har sämre GPS-noggrannhet än {limit} m; de sparades med sin "
        "noggrannhet.",
        "{n} observations have a GPS accuracy worse than {limit} m; they were saved with "
        "their accuracy.",
    ),
    "io.report.photos_not_included": (
        "{n} observationer har ett foto i formuläret; bilderna finns inte i CSV-filen och "
        "importerades inte (filnamnet står i beskrivningen).",
        "{n} observations have a photo in the form; the images are not in the CSV file and "
        "were not imported (the file name is in the description).",
    ),
    "io.report.notes_warn": (
        "{n} anteckningar kan innehålla personuppgifter (namn, telefonnummer, e-post); de "
        "sparades – kontrollera dem på kartan.",
        "{n} notes may contain personal data (names, phone numbers, e-mail); they were saved "
        "– check them on the map.",
    ),
    "io.report.walks_created": (
        "Nya trygghetsvandringar från formuläret: {names}.",
        "New safety walks from the form: {names}.",
    ),
    "io.odk.organiser": ("Import från fältformulär (ODK/KoBo)",
                         "Imported from a field form (ODK/KoBo)"),
    "io.rejects.row": ("rad", "row"),
    "io.rejects.reason": ("fel", "reason"),
    "io.kind.incident": ("Händelser", "Incidents"),
    "io.kind.observation": ("Observationer", "Observations"),
    "io.kind.zone": ("Områden", "Zones"),
    # Hostile files.
    "io.zip.bad": ("Zip-filen går inte att läsa: {detail}", "The zip file cannot be read: {detail}"),
    "io.zip.too_many": (
        "Zip-filen har för många filer ({n}; högst {limit}).",
        "The zip file has too many entries ({n}; at most {limit}).",
    ),
    "io.zip.unsafe_path": (
        "Zip-filen innehåller en otillåten sökväg: {name} (absolut eller med '..').",
        "The zip file contains a forbidden path: {name} (absolute or with '..').",
    ),
    "io.zip.too_big": (
        "Zip-filen packas upp till för mycket data ({size} MB; högst {limit} MB).",
        "The zip file unpacks to too much data ({size} MB; at most {limit} MB).",
    ),
    "io.zip.bomb": (
        "Zip-filen ser ut som en zip-bomb ({name} packas {ratio}:1). Den öppnades inte.",
        "The zip file looks like a zip bomb ({name} expands {ratio}:1). It was not opened.",
    ),
    "io.zip.no_shp": (
        "Zip-filen innehåller ingen Shapefile (.shp med .shx och .dbf).",
        "The zip file contains no Shapefile (.shp with .shx and .dbf).",
    ),
    "io.zip.many_shp": (
        "Zip-filen innehåller flera Shapefiler ({names}); välj en med --layer.",
        "The zip file contains several Shapefiles ({names}); choose one with --layer.",
    ),
    "io.zip.no_prj": (
        "Shapefilen {name} saknar .prj (koordinatsystem). Lägg till .prj-filen eller ange --crs.",
        "The Shapefile {name} has no .prj (reference system). Add the .prj file or give --crs.",
    ),
    "io.vector.wrong_driver": (
        "Filen {name} är inte {fmt} (GDAL läste den som {driver}).",
        "The file {name} is not {fmt} (GDAL read it as {driver}).",
    ),
    "io.vector.layers": (
        "GeoPackage-filen har flera lager ({layers}); välj ett med --layer.",
        "The GeoPackage has several layers ({layers}); choose one with --layer.",
    ),
    "io.vector.no_layer": (
        "Lagret {layer} finns inte. Lager i filen: {layers}.",
        "The layer {layer} does not exist. Layers in the file: {layers}.",
    ),
    "io.vector.too_many": (
        "Filen har för många objekt ({n}; högst {limit}).",
        "The file has too many features ({n}; at most {limit}).",
    ),
    # Zones.
    "io.zone.name_missing": (
        "{where}: namn saknas – ge området ett namn (kolumn name/namn).",
        "{where}: the name is missing – give the zone a name (column name/namn).",
    ),
    "io.zone.name_repeated": (
        "{where}: namnet '{name}' finns redan i {first} – varje område behöver ett eget namn.",
        "{where}: the name '{name}' is already in {first} – every zone needs its own name.",
    ),
    "io.zone.not_polygon": (
        "{where} ({name}): geometrin är {geom_type}, inte en polygon.",
        "{where} ({name}): the geometry is {geom_type}, not a polygon.",
    ),
    "io.zone.invalid": (
        "{where} ({name}): ogiltig polygon – {reason} vid {lon} {lat}. Rätta den i GIS, eller "
        "importera med --repair (make_valid; området markeras som reparerat).",
        "{where} ({name}): invalid polygon – {reason} at {lon} {lat}. Fix it in GIS, or "
        "import with --repair (make_valid; the zone is flagged as repaired).",
    ),
    "io.zone.invalid_noplace": (
        "{where} ({name}): ogiltig polygon – {reason}. Rätta den i GIS, eller importera med "
        "--repair.",
        "{where} ({name}): invalid polygon – {reason}. Fix it in GIS, or import with --repair.",
    ),
    "io.zone.repaired": (
        "{where} ({name}): ogiltig polygon ({reason}) reparerades med make_valid.",
        "{where} ({name}): invalid polygon ({reason}) was repaired with make_valid.",
    ),
    "io.zone.outside": (
        "{where} ({name}): området ligger helt utanför Hägersten-Älvsjö – kontrollera "
        "koordinatsystemet (--crs).",
        "{where} ({name}): the zone lies entirely outside Hägersten-Älvsjö – check the "
        "reference system (--crs).",
    ),
    "io.zone.bad_kind": (
        "{where} ({name}): okänd typ '{value}' – använd platssamverkan eller fokusplats.",
        "{where} ({name}): unknown kind '{value}' – use platssamverkan or fokusplats.",
    ),
    # Police events.
    "io.police.not_list": (
        "Filen är inte ett svar från Polisens händelse-API (väntade en JSON-lista med "
        "händelser med id, datetime, name, type).",
        "The file is not a Police events API response (expected a JSON list of events with "
        "id, datetime, name, type).",
    ),
    "io.police.field_missing": (
        "{where}: fältet {field} saknas eller är tomt.",
        "{where}: the field {field} is missing or empty.",
    ),
    "io.police.summary": (
        "Polisens händelser: {total} i filen, {stockholm} i Stockholms kommun eller län; "
        "{placed} placerade från platsnamn, {unplaced} sparade utan plats, {other} i andra "
        "kommuner (eller länsövergripande utan plats i distriktet) hoppades över.",
        "Police events: {total} in the file, {stockholm} in Stockholm municipality or county; "
        "{placed} placed from place names, {unplaced} kept unplaced, {other} in other "
        "municipalities (or county-wide without a district place) skipped.",
    ),
    # Statistics tables.
    "io.stat.no_count": (
        "Tabellen har inga siffror: hittade varken kolumnerna område/kategori/period/antal "
        "(lång form) eller periodkolumner (t.ex. 2021, 2022 eller 2019–2020) eller "
        "månadskolumner. Kolumner: {found}.",
        "The table has no figures: found neither area/category/period/count columns (long "
        "form) nor period columns (e.g. 2021, 2022 or 2019–2020) nor month columns. "
        "Columns: {found}.",
    ),
    "io.stat.bad_count": (
        "{where}: värdet '{value}' är inget antal – skriv ett heltal (t.ex. 1 234) eller lämna "
        "cellen tom.",
        "{where}: the value '{value}' is not a count – write a whole number (e.g. 1 234) or "
        "leave the cell empty.",
    ),
    "io.stat.negative": (
        "{where}: antalet {value} är negativt.",
        "{where}: the count {value} is negative.",
    ),
    "io.stat.no_area": (
        "Tabellen saknar områdeskolumn och filnamnet nämner inget område; ange området i en "
        "kolumn (område/area).",
        "The table has no area column and the file name names no area; give the area in a "
        "column (område/area).",
    ),
    "io.stat.area_missing": (
        "{where}: område saknas.",
        "{where}: the area is missing.",
    ),
    "io.stat.category_missing": (
        "{where}: kategori saknas.",
        "{where}: the category is missing.",
    ),
    "io.stat.period_missing": (
        "{where}: period saknas.",
        "{where}: the period is missing.",
    ),
    "io.stat.period_bad": (
        "{where}: perioden '{value}' går inte att läsa – skriv t.ex. 2021, 2019–2020 eller "
        "2022-03.",
        "{where}: the period '{value}' cannot be read – write e.g. 2021, 2019–2020 or 2022-03.",
    ),
    "io.stat.no_year": (
        "Månadskolumner ({months}) behöver ett år: lägg till en årskolumn, ange --year eller "
        "skriv året i filnamnet.",
        "Month columns ({months}) need a year: add a year column, give --year or put the year "
        "in the file name.",
    ),
    "io.stat.repeated": (
        "{where}: {area} / {category} / {period} finns redan på {first} – varje cell får "
        "finnas en gång.",
        "{where}: {area} / {category} / {period} is already on {first} – each cell may appear "
        "once.",
    ),
    "io.stat.summary": (
        "Statistiktabell '{name}': {values} värden ({areas} områden, {categories} kategorier, "
        "{periods} perioder); {replaced}.",
        "Statistics table '{name}': {values} values ({areas} areas, {categories} categories, "
        "{periods} periods); {replaced}.",
    ),
    "io.stat.replaced": ("ersatte samma tabell från en tidigare import",
                         "replaced the same table from an earlier import"),
    "io.stat.new": ("ny tabell", "new table"),
    "io.stat.unchanged": ("samma tabell fanns redan – inget ändrades",
                          "the same table was already there – nothing changed"),
    "io.stat.comparison": (
        "Jämförelseområden (inte i distriktet): {areas}.",
        "Comparison areas (not in the district): {areas}.",
    ),
    "io.stat.unmapped": (
        "Kategorier utan motsvarande kod i appen (visas med sin egen text): {categories}.",
        "Categories with no matching app code (shown with their own wording): {categories}.",
    ),
    "io.stat.bad_date": (
        "Extraktdatumet '{value}' går inte att läsa – skriv t.ex. 2023-04-01.",
        "The extract date '{value}' cannot be read – write e.g. 2023-04-01.",
    ),
    "io.stat.bad_mapping": (
        "Okänd kategorikod {code} för '{text}'. Tillåtna: {allowed}.",
        "Unknown category code {code} for '{text}'. Allowed: {allowed}.",
    ),
}
