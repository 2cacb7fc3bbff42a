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
    # the tablet's save confirmation
    "walks.ui.recent": ("Lagets senast sparade observationer", "Your team's last saved observations"),
    "walks.ui.recent_row": ("nr {id} · {category} · {time} · {place}",
                            "no. {id} · {category} · {time} · {place}"),
}
