"""Messages of issue 17 ("works where its users are"): the bundled basemap, accessibility
texts, the identity provider's log-in and the tablet's save confirmation."""

MESSAGES: dict[str, tuple[str, str]] = {
    # the bundled basemap
    "map.layer.water": ("Vatten", "Water"),
    "map.legend.water": ("Sjöar och vattendrag", "Lakes and waterways"),
    "map.attr.local": (
        "Bakgrundskarta: Stockholms stad, Stadskarta (vatten, stadsdelar; CC0) · stationer: "
        "Trafiklab / Samtrafiken",
        "Basemap: City of Stockholm, Stadskarta (water, neighbourhoods; CC0) · stations: "
        "Trafiklab / Samtrafiken"),
    "snapshot.map.source_water": ("Vatten: Stockholms stad, Stadskarta (CC0)",
                                  "Water: City of Stockholm, Stadskarta (CC0)"),
    # the map as a table (text alternative)
    "map.table.title": ("Kartan som tabell ({period})", "The map as a table ({period})"),
    "map.table.zone": ("Område", "Zone"),
    "map.table.incidents": ("Brott (valda filter)", "Crimes (chosen filters)"),
    "map.table.revision_due": ("Revidering krävs", "Revision due"),
    "map.table.flagged_sites": ("Flaggade platser", "Flagged sites"),
    "map.table.measures": ("Åtgärder", "Measures"),
    "map.table.overdue": ("Försenade åtgärder", "Overdue measures"),
    "map.table.note": (
        "Samma siffror som kartan visar. Välj ett område i listan bredvid kartan för dess kort.",
        "The same figures as the map. Pick a zone in the list beside the map for its card."),
    # alternative texts
    "snapshot.page.map_alt": (
        "Karta över {area}, period {period}: områdets gräns, stadsdelar, vatten, platser och "
        "punkter. Siffrorna står i tabellerna nedan.",
        "Map of {area}, period {period}: the zone's border, neighbourhoods, water, sites and "
        "points. The figures are in the tables below."),
    "walks.ui.photo_alt": ("Fotot till observationen (utan metadata)",
                           "The observation's photo (without metadata)"),
    # the tablet's save confirmation
    "walks.ui.recent": ("Lagets senast sparade observationer", "Your team's last saved observations"),
    "walks.ui.recent_row": ("nr {id} · {category} · {time} · {place}",
                            "no. {id} · {category} · {time} · {place}"),
}
