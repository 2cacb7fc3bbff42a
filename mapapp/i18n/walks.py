"""Safety walks (trygghetsvandringar): walks, observations, notes, photos, follow-up."""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- note check -------------------------------------------------------------------------
    "walks.note.personnummer": (
        "Anteckningen innehåller ett personnummer ({text}). Ta bort det – kartan handlar om "
        "platser, inte personer. Det går inte att spara förrän det är borttaget.",
        "The note contains a personal identity number ({text}). Remove it – the map is about "
        "places, not people. It cannot be saved until it is removed.",
    ),
    "walks.note.personnummer_like": (
        "Något i anteckningen ser ut som ett personnummer ({text}). Ta bort det om det är ett.",
        "Something in the note looks like a personal identity number ({text}). Remove it if "
        "it is one.",
    ),
    "walks.note.phone": (
        "Något i anteckningen ser ut som ett telefonnummer ({text}). Skriv inte privatpersoners "
        "nummer; ett nummer till en fastighetsjour eller ett företag går bra.",
        "Something in the note looks like a phone number ({text}). Do not write private "
        "people's numbers; a number to a property helpdesk or a business is fine.",
    ),
    "walks.note.email": (
        "Anteckningen innehåller en e-postadress ({text}). Ta bort den om den tillhör en person.",
        "The note contains an e-mail address ({text}). Remove it if it belongs to a person.",
    ),
    "walks.note.name": (
        "Ser ut som ett namn ({text}). Skriv inte namn på personer – beskriv platsen.",
        "Looks like a name ({text}). Do not write people's names – describe the place.",
    ),
    "walks.note.too_long": (
        "Anteckningen är {length} tecken; högst {n} får plats. Korta den.",
        "The note is {length} characters; at most {n} fit. Shorten it.",
    ),
    "walks.note.reminder": (
        "Skriv om platsen, inte om personer: inga namn, personnummer eller telefonnummer.",
        "Write about the place, not about people: no names, identity numbers or phone numbers.",
    ),
    # --- photos -----------------------------------------------------------------------------
    "walks.photo.empty": ("Fotot är tomt. Ta ett nytt foto.", "The photo is empty. Take a new one."),
    "walks.photo.too_big": (
        "Fotot är {mb} MB; högst {max_mb} MB går att spara. Ta ett foto med lägre upplösning.",
        "The photo is {mb} MB; at most {max_mb} MB can be saved. Take a lower-resolution photo.",
    ),
    "walks.photo.heic": (
        "Fotot är i HEIC-format, som inte kan läsas här. Använd kameraknappen på sidan, eller "
        "välj ”Mest kompatibel” (JPEG) i kamerans inställningar.",
        "The photo is in HEIC format, which cannot be read here. Use the page's camera button, "
        "or choose \u201cMost compatible\u201d (JPEG) in the camera settings.",
    ),
    "walks.photo.format": (
        "Fotot måste vara JPEG eller PNG.",
        "The photo must be JPEG or PNG.",
    ),
    "walks.photo.too_many_pixels": (
        "Fotot har {mp} megapixlar; högst {max_mp} går att läsa.",
        "The photo has {mp} megapixels; at most {max_mp} can be read.",
    ),
    "walks.photo.unreadable": (
        "Fotot går inte att läsa ({error}). Ta ett nytt foto.",
        "The photo cannot be read ({error}). Take a new one.",
    ),
    # --- saving ----------------------------------------------------------------------------
    "walks.save_failed": (
        "Inte sparat: databasen svarade inte. Formuläret finns kvar – tryck Spara igen. "
        "Det blir inte dubbelt.",
        "Not saved: the database did not answer. The form is kept – press Save again. It will "
        "not be stored twice.",
    ),
    "walks.other_team": (
        "Det här hör till ett annat vandringslag. Du kan bara arbeta med ditt eget lags "
        "vandringar och observationer.",
        "This belongs to another walk team. You can only work on your own team's walks and "
        "observations.",
    ),
    # --- walk -------------------------------------------------------------------------------
    "walks.walk.zone": ("Välj ett område för vandringen.", "Choose a zone for the walk."),
    "walks.walk.naive_time": (
        "Starttiden saknar tidszon (programfel). Ange tiden med tidszon.",
        "The start time has no time zone (a program error). Give the time with a zone.",
    ),
    "walks.walk.organiser": (
        "Ange arrangör som roll eller organisation (högst 200 tecken), t.ex. "
        "”SDF trygghetsstrateg” – inte en persons namn.",
        "Give the organiser as a role or organisation (at most 200 characters), e.g. "
        "\u201cSDF safety strategist\u201d – not a person's name.",
    ),
    "walks.walk.groups": (
        "Deltagare räknas per grupp: {groups}.",
        "Participants are counted per group: {groups}.",
    ),
    "walks.walk.counts": (
        "Antal deltagare måste vara heltal från 0, sammanlagt högst {n}.",
        "Participant counts must be whole numbers from 0, at most {n} in all.",
    ),
    "walks.walk.status": ("Okänd status; välj en av: {allowed}.",
                          "Unknown status; choose one of: {allowed}."),
    "walks.walk.not_found": ("Vandring {id} finns inte.", "Walk {id} does not exist."),
    # --- observation ------------------------------------------------------------------------
    "walks.obs.category": ("Välj en kategori: {allowed}.", "Choose a category: {allowed}."),
    "walks.obs.position": (
        "Platsen saknas: tryck på kartan, använd ”Min position” eller välj en plats i listan.",
        "The position is missing: tap the map, use \u201cMy position\u201d or pick a site from "
        "the list.",
    ),
    "walks.obs.accuracy": (
        "Positionen är för osäker (±{m} m; högst ±{max} m). Vänta på bättre GPS eller tryck på "
        "kartan.",
        "The position is too uncertain (±{m} m; at most ±{max} m). Wait for a better GPS fix "
        "or tap the map.",
    ),
    "walks.obs.rating_key": ("Okänt betyg {key}; kända: {allowed}.",
                             "Unknown rating {key}; known: {allowed}."),
    "walks.obs.rating_value": ("Betyget {key} måste vara 0, 1, 2 eller 3.",
                               "The rating {key} must be 0, 1, 2 or 3."),
    "walks.obs.site": ("Plats {id} finns inte. Välj en plats i listan.",
                       "Site {id} does not exist. Pick a site from the list."),
    "walks.obs.sid": (
        "Formuläret saknar sitt id (programfel). Ladda om sidan; utkastet finns kvar.",
        "The form has no id (a program error). Reload the page; the draft is kept.",
    ),
    "walks.obs.outside": (
        "Punkten ligger utanför Hägersten-Älvsjö. Tryck på kartan inom stadsdelsområdet.",
        "The point is outside Hägersten-Älvsjö. Tap the map inside the district.",
    ),
    "walks.obs.not_found": ("Observation {id} finns inte.", "Observation {id} does not exist."),
    "walks.obs.window": (
        "Observationen kan bara rättas under {h} timmar efter att den sparades.",
        "The observation can only be corrected for {h} hours after it was saved.",
    ),
    "walks.obs.status": ("Okänd status; välj en av: {allowed}.",
                         "Unknown status; choose one of: {allowed}."),
    "walks.status.ny": ("Ny", "New"),
    "walks.status.skickad": ("Skickad till ägare", "Sent to owner"),
    "walks.status.atgardad": ("Åtgärdad", "Fixed"),
    "walks.status.inte_atgardad": ("Inte åtgärdad", "Not fixed"),
    "walks.walkstatus.planerad": ("Planerad", "Planned"),
    "walks.walkstatus.genomford": ("Genomförd", "Done"),
    "walks.walkstatus.uppfoljd": ("Uppföljd", "Followed up"),
    "walks.rating.belysning": ("Belysning", "Lighting"),
    "walks.rating.oppenhet": ("Öppenhet", "Openness"),
    "walks.rating.synlighet": ("Synlighet", "Visibility"),
    "walks.rating.folkliv": ("Folkliv", "People around"),
    "walks.rating.trygghetskansla": ("Trygghetskänsla", "Feeling of safety"),
    "walks.group.boende": ("Boende", "Residents"),
    "walks.group.personal": ("Personal", "Staff"),
    "walks.group.polis": ("Polis", "Police"),
    "walks.group.fastighetsagare": ("Fastighetsägare", "Property owners"),
    # --- follow-up --------------------------------------------------------------------------
    "walks.place.picked": ("vald plats", "picked site"),
    "walks.place.near": ("närmast, {m} m", "nearest, {m} m"),
    "walks.place.area": ("{area} (ingen plats i närheten)", "{area} (no site nearby)"),
    "walks.measure.no_zone": (
        "Observationen ligger utanför alla platssamverkansområden; en åtgärd behöver ett område.",
        "The observation is outside every zone; a measure needs a zone.",
    ),
    # --- follow-up document -----------------------------------------------------------------
    "walks.doc.title": ("Uppföljning av trygghetsvandring: {title}",
                        "Safety walk follow-up: {title}"),
    "walks.doc.zone": ("Område", "Zone"),
    "walks.doc.when": ("Datum och tid", "Date and time"),
    "walks.doc.organiser": ("Arrangör", "Organiser"),
    "walks.doc.participants": ("Deltagare", "Participants"),
    "walks.doc.status": ("Status", "Status"),
    "walks.doc.count": ("Antal observationer", "Observations"),
    "walks.doc.photo": ("foto", "photo"),
    "walks.doc.empty": ("Inga observationer ännu.", "No observations yet."),
    "walks.doc.col.nr": ("Nr", "No."),
    "walks.doc.col.category": ("Kategori", "Category"),
    "walks.doc.col.note": ("Anteckning", "Note"),
    "walks.doc.col.ratings": ("Betyg 0–3", "Ratings 0–3"),
    "walks.doc.col.owner": ("Ägare att kontakta", "Owner to contact"),
    "walks.doc.col.status": ("Status", "Status"),
    "walks.doc.col.action": ("Vad görs, av vem, när", "What is done, by whom, when"),
    "walks.doc.footer": (
        "Status: ny, skickad till ägare, åtgärdad, inte åtgärdad. Ägaren säger på "
        "uppföljningsmötet vad som görs; en ny vandring om några månader kontrollerar resultatet.",
        "Status: new, sent to owner, fixed, not fixed. At the follow-up meeting the owner says "
        "what will be done; a new walk a few months later checks the result.",
    ),
    "walks.doc.suffix": ("Filen {name} måste sluta på .docx eller .pdf.",
                         "The file {name} must end in .docx or .pdf."),
    # --- tablet page --------------------------------------------------------------------------
    "walks.ui.title": ("Trygghetsvandring", "Safety walk"),
    "walks.ui.walk": ("Vandring", "Walk"),
    "walks.ui.no_walks": ("Ingen vandring ännu – skapa en", "No walk yet – create one"),
    "walks.ui.view": ("Visa", "Show"),
    "walks.ui.view.observe": ("Observera", "Observe"),
    "walks.ui.view.list": ("Våra observationer", "Our observations"),
    "walks.ui.view.followup": ("Uppföljning", "Follow-up"),
    "walks.ui.view.new": ("Ny vandring", "New walk"),
    "walks.ui.walk_caption": ("{zone} · arrangör: {organiser} · {n} deltagare · {obs} observationer",
                              "{zone} · organiser: {organiser} · {n} participants · {obs} observations"),
    "walks.ui.new_walk": ("Ny trygghetsvandring", "New safety walk"),
    "walks.ui.choose": ("Välj …", "Choose …"),
    "walks.ui.date": ("Datum", "Date"),
    "walks.ui.time": ("Starttid", "Start time"),
    "walks.ui.organiser_placeholder": ("t.ex. SDF trygghetsstrateg, LPO, Citycon",
                                       "e.g. SDF safety strategist, LPO, Citycon"),
    "walks.ui.organiser_help": ("En roll eller organisation, inte en persons namn.",
                                "A role or organisation, not a person's name."),
    "walks.ui.create": ("Skapa vandringen", "Create the walk"),
    "walks.ui.walk_status": ("Vandringens status", "Walk status"),
    "walks.ui.new_obs": ("Ny observation", "New observation"),
    "walks.ui.position": ("Plats", "Position"),
    "walks.ui.pos_none": ("ingen ännu – tryck på kartan, använd Min position eller välj en plats",
                          "none yet – tap the map, use My position or pick a site"),
    "walks.ui.pos_gps": ("min position (±{m} m)", "my position (±{m} m)"),
    "walks.ui.pos_site": ("{site}", "{site}"),
    "walks.ui.pos_map": ("vald på kartan ({lat}, {lon})", "tapped on the map ({lat}, {lon})"),
    "walks.ui.my_position": ("Min position", "My position"),
    "walks.ui.searching": ("Söker position …", "Finding position …"),
    "walks.ui.geo_error": (
        "Surfplattan gav ingen position (behörighet nekad, ingen GPS eller tidsgräns). Tryck på "
        "kartan i stället.",
        "The tablet gave no position (permission denied, no GPS or timeout). Tap the map "
        "instead.",
    ),
    "walks.ui.geo_refused": (
        "Positionen är för osäker (±{m} m; högst ±{max} m) och användes inte. Vänta en stund "
        "och försök igen, eller tryck på kartan.",
        "The position is too uncertain (±{m} m; at most ±{max} m) and was not used. Wait a "
        "moment and try again, or tap the map.",
    ),
    "walks.ui.site": ("Eller välj en plats i närheten", "Or pick a site nearby"),
    "walks.ui.site_placeholder": ("Välj plats …", "Choose a site …"),
    "walks.ui.site_pick": ("Välj", "Pick"),
    "walks.ui.category": ("Kategori", "Category"),
    "walks.ui.ratings": ("Snabbetyg 0–3 (0 = dåligt, 3 = bra)", "Quick ratings 0–3 (0 = poor, 3 = good)"),
    "walks.ui.note": ("Anteckning (kort)", "Note (short)"),
    "walks.ui.note_placeholder": ("Vad ser ni på platsen?", "What do you see at the place?"),
    "walks.ui.photo": ("Foto (valfritt)", "Photo (optional)"),
    "walks.ui.camera": ("Ta foto med kameran", "Take a photo with the camera"),
    "walks.ui.upload": ("… eller välj en bild (JPEG/PNG)", "… or choose a picture (JPEG/PNG)"),
    "walks.ui.photo_kept": ("Fotot sparas utan metadata (ingen GPS, ingen kamerainformation).",
                            "The photo is kept without metadata (no GPS, no camera details)."),
    "walks.ui.photo_remove": ("Ta bort fotot", "Remove the photo"),
    "walks.ui.save": ("Spara", "Save"),
    "walks.ui.clear": ("Töm formuläret", "Clear the form"),
    "walks.ui.saved": ("Sparad (observation nr {id}).", "Saved (observation no. {id})."),
    "walks.ui.saved_before": ("Sparad – den här observationen var redan sparad (nr {id}), "
                              "inget dubbelt.",
                              "Saved – this observation was already saved (no. {id}), nothing "
                              "twice."),
    "walks.ui.not_saved": ("Inte sparad. Formuläret finns kvar.",
                           "Not saved. The form is kept."),
    "walks.ui.read_warnings": (
        "Läs varningarna om anteckningen ovan. Ändra texten, eller tryck Spara igen för att "
        "spara ändå.",
        "Read the warnings about the note above. Change the text, or press Save again to save "
        "anyway.",
    ),
    "walks.ui.restored": ("Ditt osparade utkast är återställt.", "Your unsaved draft is restored."),
    "walks.ui.correct_hint": ("Ert lags observationer kan rättas i {h} timmar efter att de "
                              "sparades.",
                              "Your team's observations can be corrected for {h} hours after "
                              "they were saved."),
    "walks.ui.correct": ("Spara rättelsen", "Save the correction"),
    "walks.ui.corrected": ("Rättad ({n} ändringar).", "Corrected ({n} changes)."),
    "walks.ui.download_docx": ("Uppföljning (Word)", "Follow-up (Word)"),
    "walks.ui.download_pdf": ("Uppföljning (PDF)", "Follow-up (PDF)"),
    "walks.ui.to_measure": ("Gör till åtgärd", "Make a measure"),
    "walks.ui.measure_made": ("Åtgärd nr {id} skapad.", "Measure no. {id} created."),
    "walks.ui.measure_exists": ("Observationen har redan åtgärd nr {id}.",
                                "The observation already has measure no. {id}."),
    "walks.ui.empty_form": ("Formuläret är tomt – placera en observation först.",
                            "The form is empty – place an observation first."),
    "walks.ui.not_correctable": (
        "Kan inte rättas här (ett annat lags observation, eller rättelsetiden har gått ut).",
        "Cannot be corrected here (another team's observation, or the correction time is over).",
    ),
}
