"""The app shell: navigation, log-in, language."""

MESSAGES: dict[str, tuple[str, str]] = {
    "app.title": ("Platssamverkanskarta", "Place-collaboration map"),
    "app.subtitle": ("Hägersten-Älvsjö lokala brottsförebyggande råd",
                     "Hägersten-Älvsjö local crime-prevention council"),
    "app.language": ("Språk / Language", "Språk / Language"),
    "app.signed_in_as": ("Inloggad som {user} ({role})", "Signed in as {user} ({role})"),
    "app.logout": ("Logga ut", "Log out"),
    "nav.karta": ("Karta", "Map"),
    "nav.omrade": ("Område", "Zone"),
    "nav.import": ("Import", "Import"),
    "nav.vandring": ("Vandring", "Safety walk"),
    "nav.atgarder": ("Åtgärder", "Measures"),
    "nav.statistik": ("Statistik", "Statistics"),
    "nav.protokoll": ("Export/Protokoll", "Export/Minutes"),
    "nav.admin": ("Admin", "Admin"),
    "login.title": ("Logga in", "Log in"),
    "login.username": ("Användarnamn", "User name"),
    "login.password": ("Lösenord", "Password"),
    "login.submit": ("Logga in", "Log in"),
    "login.failed": ("Fel användarnamn eller lösenord.", "Wrong user name or password."),
    "login.oidc": ("Logga in med stadens konto", "Log in with the city account"),
    "login.oidc_unknown": (
        "Kontot {user} saknar roll i kartan. Be en administratör lägga till det.",
        "The account {user} has no role in the map. Ask an administrator to add it."),
    "login.no_users": (
        "Det finns inga användare ännu. Skapa den första administratören: "
        "mapapp user add NAMN --role admin",
        "There are no users yet. Create the first administrator: "
        "mapapp user add NAME --role admin"),
    "app.no_schema": ("Databasen är inte initierad. Kör: mapapp init",
                      "The database is not initialised. Run: mapapp init"),
}
