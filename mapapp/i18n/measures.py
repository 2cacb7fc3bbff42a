"""Measures (åtgärder): fields, validation, revision reminders, the CLI and the Åtgärder page."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Field names (labels in the page, names in error messages).
    "measures.field.id": ("Id", "Id"),
    "measures.field.zone": ("Område", "Zone"),
    "measures.field.site": ("Plats", "Site"),
    "measures.field.cell_id": ("Rutnätscell", "Grid cell"),
    "measures.field.title": ("Titel", "Title"),
    "measures.field.description": ("Beskrivning", "Description"),
    "measures.field.priority_area": ("Prioriterat område", "Priority area"),
    "measures.field.actor": ("Ansvarig aktör", "Responsible actor"),
    "measures.field.status": ("Status", "Status"),
    "measures.field.start": ("Startdatum", "Start date"),
    "measures.field.due": ("Klart senast", "Due date"),
    "measures.field.next_followup": ("Nästa uppföljning", "Next follow-up"),
    "measures.field.overdue": ("Försenad", "Overdue"),
    "measures.field.source": ("Källa", "Source"),
    "measures.field.note": ("Uppföljningsanteckning", "Follow-up note"),
    "measures.field.noted_on": ("Datum", "Date"),
    "measures.field.author_role": ("Skriven av (roll)", "Written by (role)"),
    "measures.field.incident": ("Händelse", "Incident"),
    "measures.field.observation": ("Observation", "Observation"),
    # Validation.
    "measures.err.summary": ("Åtgärden sparades inte:", "The measure was not saved:"),
    "measures.err.unknown_field": (
        "Okänt fält: {field}. Kända fält: {known}",
        "Unknown field: {field}. Known fields: {known}",
    ),
    "measures.err.title_empty": (
        "Titel saknas: skriv kort vad åtgärden går ut på.",
        "The title is missing: write briefly what the measure is.",
    ),
    "measures.err.too_long": (
        "{field} är för lång ({n} tecken); korta till högst {max}.",
        "{field} is too long ({n} characters); shorten it to at most {max}.",
    ),
    "measures.err.zone_missing": (
        "Område saknas: välj ett av {known}.",
        "The zone is missing: choose one of {known}.",
    ),
    "measures.err.zone_unknown": (
        "Okänt område: {value}. Välj ett av {known}.",
        "Unknown zone: {value}. Choose one of {known}.",
    ),
    "measures.err.site_unknown": (
        "Okänd plats: {value}. Skriv platsens namn som i platslistan, eller lämna fältet tomt.",
        "Unknown site: {value}. Write the site's name as in the list of sites, or leave it empty.",
    ),
    "measures.err.site_ambiguous": (
        "Platsnamnet {value} finns {n} gånger; ange platsens id i stället.",
        "The site name {value} occurs {n} times; give the site's id instead.",
    ),
    "measures.err.site_other_zone": (
        "Platsen {site} ligger i området {site_zone}, inte i {zone}. Välj det området eller "
        "en annan plats.",
        "The site {site} lies in the zone {site_zone}, not in {zone}. Choose that zone or "
        "another site.",
    ),
    "measures.err.cell_format": (
        "Rutnätscellen {value} känns inte igen; skriv id:t som på kartan, t.ex. "
        "100m-E669300-N6575400.",
        "The grid cell {value} is not recognised; write the id as on the map, e.g. "
        "100m-E669300-N6575400.",
    ),
    "measures.err.priority_missing": (
        "Prioriterat område saknas: välj ett av de tio ({known}).",
        "The priority area is missing: choose one of the ten ({known}).",
    ),
    "measures.err.priority_unknown": (
        "Okänt prioriterat område: {value}. Välj ett av de tio ({known}).",
        "Unknown priority area: {value}. Choose one of the ten ({known}).",
    ),
    "measures.err.actor_missing": (
        "Ansvarig aktör saknas: välj en av {known}.",
        "The responsible actor is missing: choose one of {known}.",
    ),
    "measures.err.actor_unknown": (
        "Okänd aktör: {value}. Välj en av {known}, eller lägg först till aktören "
        "(mapapp measures actors --add NAMN).",
        "Unknown actor: {value}. Choose one of {known}, or add the actor first "
        "(mapapp measures actors --add NAME).",
    ),
    "measures.err.status_unknown": (
        "Okänd status: {value}. Välj en av {known}.",
        "Unknown status: {value}. Choose one of {known}.",
    ),
    "measures.err.date_invalid": (
        "{field}: {value} är inget datum; skriv ÅÅÅÅ-MM-DD (t.ex. 2023-04-21).",
        "{field}: {value} is not a date; write YYYY-MM-DD (e.g. 2023-04-21).",
    ),
    "measures.err.due_before_start": (
        "Klart senast ({due}) ligger före startdatum ({start}); ändra något av datumen.",
        "The due date ({due}) is before the start date ({start}); change one of the dates.",
    ),
    "measures.err.identity_number": (
        "{field} ser ut att innehålla ett personnummer. Kartan handlar om platser, inte "
        "personer: ta bort det.",
        "{field} seems to contain a personal identity number. The map is about places, not "
        "people: remove it.",
    ),
    "measures.err.not_found": (
        "Åtgärd {id} finns inte. Se mapapp measures list.",
        "Measure {id} does not exist. See mapapp measures list.",
    ),
    "measures.err.note_empty": (
        "Anteckningen är tom: skriv vad som har hänt.",
        "The note is empty: write what has happened.",
    ),
    "measures.err.link_none": (
        "Ange minst en händelse eller observation att koppla.",
        "Give at least one incident or observation to link.",
    ),
    "measures.err.link_unknown": (
        "{field}: id {ids} finns inte.",
        "{field}: id {ids} does not exist.",
    ),
    "measures.err.actor_empty": ("Aktörens namn saknas.", "The actor's name is missing."),
    "measures.err.actor_exists": (
        "Aktören {name} finns redan.",
        "The actor {name} already exists.",
    ),
    "measures.warn.phone": (
        "Texten ser ut att innehålla ett telefonnummer. Skriv inte personers nummer; en "
        "verksamhets växelnummer går bra.",
        "The text seems to contain a phone number. Do not write people's numbers; an "
        "organisation's switchboard is fine.",
    ),
    "measures.warn.names": (
        "Skriv inga namn eller personnummer – bara platser och vad som görs.",
        "Do not write names or identity numbers – only places and what is done.",
    ),
    # Revision reminders (the agreement in the minutes).
    "measures.rev.lagesbild": (
        "Lägesbilden reviderades senast {date} – mer än {years} år sedan (senast {next}).",
        "The situation picture was last revised on {date} – more than {years} years ago "
        "(due {next}).",
    ),
    "measures.rev.plan": (
        "Åtgärdsplanen reviderades senast {date} – mer än {years} år sedan (senast {next}).",
        "The action plan was last revised on {date} – more than {years} years ago (due {next}).",
    ),
    "measures.rev.priorities": (
        "Prioriteringarna sågs över senast {date} – mer än {years} år sedan (senast {next}).",
        "The priorities were last reviewed on {date} – more than {years} years ago (due {next}).",
    ),
    "measures.rev.lagesbild_never": (
        "Lägesbilden saknar revideringsdatum.",
        "The situation picture has no revision date.",
    ),
    "measures.rev.plan_never": (
        "Åtgärdsplanen saknar revideringsdatum.",
        "The action plan has no revision date.",
    ),
    "measures.rev.priorities_never": (
        "Prioriteringarna saknar datum för översyn.",
        "The priorities have no review date.",
    ),
    # Audit history.
    "measures.hist.create": ("skapad", "created"),
    "measures.hist.update": ("ändrad", "changed"),
    "measures.hist.note": ("anteckning", "note"),
    "measures.hist.link": ("koppling", "link"),
    # CLI.
    "measures.cli.help": ("åtgärder: lista, lägg till, ändra, följ upp", "measures: list, add, "
                          "update, follow up"),
    "measures.cli.description": (
        "Åtgärdsplanen: åtgärder per område eller plats med ansvarig aktör, status, datum och "
        "uppföljning. Ändringar loggas.",
        "The action plan: measures per zone or site with responsible actor, status, dates and "
        "follow-up. Changes are audited.",
    ),
    "measures.cli.list": ("lista åtgärder", "list measures"),
    "measures.cli.show": ("visa en åtgärd med anteckningar och historik",
                          "show one measure with notes and history"),
    "measures.cli.add": ("lägg till en åtgärd", "add a measure"),
    "measures.cli.update": (
        "ändra en åtgärd (bara de fält som anges; tom text tömmer ett fält)",
        "change a measure (only the fields given; empty text clears a field)",
    ),
    "measures.cli.note": ("lägg till en daterad uppföljningsanteckning",
                          "add a dated follow-up note"),
    "measures.cli.link": ("koppla händelser/observationer som motiverar åtgärden",
                          "link incidents/observations that motivated the measure"),
    "measures.cli.actors": ("lista eller lägg till ansvariga aktörer",
                            "list or add responsible actors"),
    "measures.cli.revisions": (
        "områden vars lägesbild/plan (2 år) eller prioriteringar (4 år) behöver revideras",
        "zones whose situation picture/plan (2 years) or priorities (4 years) need revision",
    ),
    "measures.cli.before_after": ("antal händelser och observationer före/efter en åtgärd",
                                  "incidents and observations before/after a measure"),
    "measures.cli.opt.id": ("åtgärdens id", "the measure's id"),
    "measures.cli.opt.zone": ("områdets namn", "the zone's name"),
    "measures.cli.opt.site": ("platsens namn (tomt: ingen plats)", "the site's name (empty: none)"),
    "measures.cli.opt.cell": ("rutnätscellens id, t.ex. 100m-E669300-N6575400",
                              "the grid cell's id, e.g. 100m-E669300-N6575400"),
    "measures.cli.opt.title": ("titel", "title"),
    "measures.cli.opt.description": ("beskrivning", "description"),
    "measures.cli.opt.priority_area": ("ett av de tio prioriterade områdena (text eller 1–10)",
                                       "one of the ten priority areas (text or 1–10)"),
    "measures.cli.opt.actor": ("ansvarig aktör (se: mapapp measures actors)",
                               "responsible actor (see: mapapp measures actors)"),
    "measures.cli.opt.status": ("status: planerad, pagaende, genomford, avbruten",
                                "status: planerad, pagaende, genomford, avbruten"),
    "measures.cli.opt.start": ("startdatum ÅÅÅÅ-MM-DD", "start date YYYY-MM-DD"),
    "measures.cli.opt.due": ("klart senast ÅÅÅÅ-MM-DD", "due date YYYY-MM-DD"),
    "measures.cli.opt.next_followup": ("nästa uppföljning ÅÅÅÅ-MM-DD",
                                       "next follow-up YYYY-MM-DD"),
    "measures.cli.opt.overdue": ("bara försenade åtgärder", "only overdue measures"),
    "measures.cli.opt.today": ("räkna som om i dag vore ÅÅÅÅ-MM-DD",
                               "count as if today were YYYY-MM-DD"),
    "measures.cli.opt.format": ("utformat: table, csv eller json", "output: table, csv or json"),
    "measures.cli.opt.text": ("anteckningens text (inga namn)", "the note's text (no names)"),
    "measures.cli.opt.date": ("anteckningens datum (standard: i dag)",
                              "the note's date (default: today)"),
    "measures.cli.opt.incident": ("händelsens id (kan upprepas)", "incident id (repeatable)"),
    "measures.cli.opt.observation": ("observationens id (kan upprepas)",
                                     "observation id (repeatable)"),
    "measures.cli.opt.add_actor": ("lägg till en aktör med detta namn",
                                   "add an actor with this name"),
    "measures.cli.opt.months": ("antal månader före och efter (standard 6)",
                                "number of months before and after (default 6)"),
    "measures.cli.added": ("Åtgärd {id} tillagd.", "Measure {id} added."),
    "measures.cli.updated": ("Åtgärd {id} ändrad: {fields}", "Measure {id} changed: {fields}"),
    "measures.cli.unchanged": ("Åtgärd {id}: inget att ändra.", "Measure {id}: nothing to change."),
    "measures.cli.noted": ("Anteckning tillagd till åtgärd {id}.", "Note added to measure {id}."),
    "measures.cli.linked": ("{n} kopplingar tillagda till åtgärd {id}.",
                            "{n} links added to measure {id}."),
    "measures.cli.actor_added": ("Aktören {name} tillagd.", "The actor {name} was added."),
    "measures.cli.no_revisions": ("Inga områden behöver revideras.", "No zone needs revision."),
    # The Åtgärder page.
    "measures.ui.title": ("Åtgärder", "Measures"),
    "measures.ui.caption": (
        "Åtgärdsplanen per område och plats. Lägesbild och plan revideras minst vartannat år, "
        "prioriteringarna minst vart fjärde.",
        "The action plan per zone and site. The situation picture and plan are revised at "
        "least every second year, the priorities at least every fourth.",
    ),
    "measures.ui.revisions": ("Påminnelser om revidering", "Revision reminders"),
    "measures.ui.no_revisions": ("Alla områden är reviderade i tid.", "Every zone is revised in "
                                 "time."),
    "measures.ui.filters": ("Filter", "Filters"),
    "measures.ui.all": ("Alla", "All"),
    "measures.ui.only_overdue": ("Bara försenade", "Only overdue"),
    "measures.ui.count": ("{n} av {total} åtgärder", "{n} of {total} measures"),
    "measures.ui.n_overdue": ("{n} försenade", "{n} overdue"),
    "measures.ui.empty": ("Inga åtgärder matchar filtret.", "No measures match the filter."),
    "measures.ui.select": ("Välj åtgärd", "Choose a measure"),
    "measures.ui.new": ("Ny åtgärd", "New measure"),
    "measures.ui.save_new": ("Lägg till åtgärd", "Add measure"),
    "measures.ui.save": ("Spara ändringar", "Save changes"),
    "measures.ui.saved": ("Åtgärd {id} sparad.", "Measure {id} saved."),
    "measures.ui.nothing_changed": ("Inget ändrat.", "Nothing changed."),
    "measures.ui.read_only": (
        "Din roll kan läsa åtgärderna men inte ändra dem.",
        "Your role can read the measures but not change them.",
    ),
    "measures.ui.no_site": ("(ingen plats)", "(no site)"),
    "measures.ui.choose": ("(välj)", "(choose)"),
    "measures.ui.tab_details": ("Uppgifter", "Details"),
    "measures.ui.tab_followup": ("Uppföljning", "Follow-up"),
    "measures.ui.tab_history": ("Historik", "History"),
    "measures.ui.tab_before_after": ("Före/efter", "Before/after"),
    "measures.ui.no_notes": ("Inga anteckningar ännu.", "No notes yet."),
    "measures.ui.add_note": ("Lägg till anteckning", "Add note"),
    "measures.ui.note_saved": ("Anteckningen sparad.", "The note was saved."),
    "measures.ui.links": ("Kopplade händelser och observationer",
                          "Linked incidents and observations"),
    "measures.ui.no_links": ("Inga kopplingar.", "No links."),
    "measures.ui.link_ids": ("Id, kommaseparerade", "Ids, comma-separated"),
    "measures.ui.add_links": ("Koppla", "Link"),
    "measures.ui.bad_ids": ("{field}: skriv id som heltal, t.ex. 12, 15.",
                            "{field}: write ids as whole numbers, e.g. 12, 15."),
    "measures.ui.no_history": ("Ingen historik.", "No history."),
    "measures.ui.hist_at": ("Tid", "Time"),
    "measures.ui.hist_action": ("Vad", "What"),
    "measures.ui.hist_role": ("Roll", "Role"),
    "measures.ui.hist_user": ("Användare", "User"),
    "measures.ui.hist_field": ("Fält", "Field"),
    "measures.ui.col_field": ("Fält", "Field"),
    "measures.ui.col_value": ("Värde", "Value"),
    "measures.ui.link_kind": ("Typ", "Kind"),
    "measures.ui.link_category": ("Kategori", "Category"),
    "measures.ui.hist_old": ("Före", "Before"),
    "measures.ui.hist_new": ("Efter", "After"),
    "measures.ui.ba_no_start": (
        "Åtgärden har inget startdatum; före/efter kan inte beräknas.",
        "The measure has no start date; before/after cannot be computed.",
    ),
    "measures.ui.ba_months": ("Månader före och efter", "Months before and after"),
    "measures.ui.ba_before": ("Före", "Before"),
    "measures.ui.ba_after": ("Efter", "After"),
    "measures.ui.ba_change": ("Förändring", "Change"),
    "measures.ui.ba_place_site": (
        "Händelser och observationer inom {r} m från {place}.",
        "Incidents and observations within {r} m of {place}.",
    ),
    "measures.ui.ba_place_zone": (
        "Händelser och observationer i området {place}.",
        "Incidents and observations in the zone {place}.",
    ),
    "measures.ui.ba_windows": (
        "Före: {b0} – {b1} ({label}). Efter: {a0} – {a1}.",
        "Before: {b0} – {b1} ({label}). After: {a0} – {a1}.",
    ),
    "measures.ui.kind_incident": ("Händelser", "Incidents"),
    "measures.ui.kind_observation": ("Observationer", "Observations"),
    "measures.ui.yes": ("Ja", "Yes"),
}
