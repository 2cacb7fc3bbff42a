"""Shared words: common UI words, roles, zones, periods."""

MESSAGES: dict[str, tuple[str, str]] = {
    "common.yes": ("Ja", "Yes"),
    "common.no": ("Nej", "No"),
    "common.outside": ("Utanför distriktet", "Outside the district"),
    "common.none": ("–", "–"),
    "common.suppressed": ("<{n}", "<{n}"),
    "role.lasare": ("Läsare", "Reader"),
    "role.vandrare": ("Trygghetsvandrare", "Safety-walk team"),
    "role.samordnare": ("Samordnare", "Coordinator"),
    "role.polis": ("Polis", "Police"),
    "role.admin": ("Administratör", "Administrator"),
    "perm.denied": (
        "Din roll ({role}) får inte {action}. Be en administratör om behörighet.",
        "Your role ({role}) may not {action}. Ask an administrator for access.",
    ),
    "store.locked": (
        "Databasen är upptagen just nu. Försök igen om en stund – inget har sparats.",
        "The database is busy right now. Try again in a moment – nothing was saved.",
    ),
    "store.not_initialised": (
        "Databasen saknar tabeller. Kör först: mapapp init",
        "The database has no tables. Run first: mapapp init",
    ),
    "zone.not_found": (
        "Okänt område: {name}. Kända områden: {known}",
        "Unknown zone: {name}. Known zones: {known}",
    ),
}
