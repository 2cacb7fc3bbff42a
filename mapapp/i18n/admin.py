"""Admin: users and roles, the audit log, retention (gallring); their CLI commands."""

MESSAGES: dict[str, tuple[str, str]] = {
    # CLI
    "admin.cli.audit_help": ("visa granskningsloggen", "show the audit log"),
    "admin.cli.audit_description": (
        "Granskningsloggen: inloggningar, misslyckade inloggningar, nya användare, rollbyten, "
        "importer, exporter, ändringar och gallring – vem, vad, när. Nyaste först. CSV-cellerna "
        "öppnas som text i kalkylprogram",
        "The audit log: log-ins, failed log-ins, new users, role changes, imports, exports, "
        "changes and retention – who, what, when. Newest first. CSV cells open as text in "
        "spreadsheets"),
    "admin.cli.since_help": (
        "från och med (ÅÅÅÅ-MM-DD eller ISO 8601-tid; svensk tid om zon saknas)",
        "from (YYYY-MM-DD or an ISO 8601 time; Stockholm time without a zone)"),
    "admin.cli.until_help": ("till (men inte med), samma format som --since",
                             "until (exclusive), same format as --since"),
    "admin.cli.action_help": (
        "bara denna händelse, t.ex. login_failed, export, role_change (kan upprepas)",
        "only this action, e.g. login_failed, export, role_change (repeatable)"),
    "admin.cli.user_help": ("bara denna användare", "only this user"),
    "admin.cli.limit_help": ("högst N rader", "at most N rows"),
    "admin.cli.format_help": ("utformat: table (standard), csv eller json",
                              "output format: table (default), csv or json"),
    "admin.cli.bad_date": (
        "ogiltigt datum '{value}': skriv ÅÅÅÅ-MM-DD eller en ISO 8601-tid",
        "invalid date '{value}': write YYYY-MM-DD or an ISO 8601 time"),
    "admin.cli.retention_help": ("gallring av anteckningar och foton",
                                 "retention of notes and photos"),
    "admin.cli.retention_description": (
        "Tar bort anteckningar och foton från observationer som är äldre än "
        "MAPAPP_RETENTION_YEARS år (standard 2). Platsen, tiden, kategorin och betygen finns "
        "kvar. Ej skickade utkast lika gamla raderas. Loggas i granskningsloggen",
        "Removes notes and photos of observations older than MAPAPP_RETENTION_YEARS years "
        "(default 2). Place, time, category and ratings stay. Unsent drafts as old are deleted. "
        "Recorded in the audit log"),
    "admin.cli.apply_help": ("gallra nu", "apply retention now"),
    "admin.cli.dry_run_help": ("räkna bara, ändra inget", "only count, change nothing"),
    "admin.cli.years_help": ("äldre än N år (annars inställningen)",
                             "older than N years (else the setting)"),
    # retention
    "admin.retention.bad_years": (
        "Antal år måste vara större än 0 och högst {max} (fick {years}).",
        "The number of years must be above 0 and at most {max} (got {years})."),
    "admin.retention.result": (
        "Gallrat: observationer gjorda före {cutoff} – {observations} observationer, "
        "{notes} anteckningar och {photos} foton borttagna; {drafts} ej skickade utkast raderade.",
        "Retention applied: observations made before {cutoff} – {observations} observations, "
        "{notes} notes and {photos} photos removed; {drafts} unsent drafts deleted."),
    "admin.retention.dry_run_result": (
        "Provkörning (inget ändrat): observationer gjorda före {cutoff} – {observations} "
        "observationer, {notes} anteckningar och {photos} foton skulle tas bort, och {drafts} "
        "ej skickade utkast raderas.",
        "Dry run (nothing changed): observations made before {cutoff} – {observations} "
        "observations, {notes} notes and {photos} photos would be removed, and {drafts} unsent "
        "drafts deleted."),
    "admin.retention.explain": (
        "Anteckningar och foton från trygghetsvandringar sparas i {years} år. Gallringen tar "
        "bort anteckningen och fotot från äldre observationer; platsen, tiden, kategorin och "
        "betygen finns kvar för statistiken. Borttaget går inte att få tillbaka.",
        "Notes and photos from safety walks are kept for {years} years. Retention removes the "
        "note and the photo of older observations; place, time, category and ratings stay for "
        "the statistics. What is removed cannot be restored."),
    "admin.retention.years": ("Äldre än (år)", "Older than (years)"),
    "admin.retention.preview": ("Provkör (visa vad som tas bort)",
                                "Dry run (show what would be removed)"),
    "admin.retention.confirm": (
        "Jag förstår att anteckningarna och fotona tas bort för gott.",
        "I understand that the notes and photos are removed for good."),
    "admin.retention.apply": ("Gallra nu", "Apply retention now"),
    # log-in
    "admin.login_blocked": (
        "För många misslyckade inloggningar med det här användarnamnet. Vänta {minutes} minuter "
        "och försök igen, eller be en administratör om ett nytt lösenord.",
        "Too many failed log-ins with this user name. Wait {minutes} minutes and try again, or "
        "ask an administrator for a new password."),
    # page
    "admin.title": ("Administration", "Administration"),
    "admin.tab.users": ("Användare", "Users"),
    "admin.tab.audit": ("Granskningslogg", "Audit log"),
    "admin.tab.retention": ("Gallring", "Retention"),
    "admin.users.col.username": ("Användarnamn", "User name"),
    "admin.users.col.role": ("Roll", "Role"),
    "admin.users.col.team": ("Lag", "Team"),
    "admin.users.col.active": ("Aktiv", "Active"),
    "admin.users.col.created_at": ("Skapad", "Created"),
    "admin.users.add": ("Ny användare", "New user"),
    "admin.users.name": ("Användarnamn (vid inloggning med stadens konto: e-postadressen)",
                         "User name (for log-in with the city account: the e-mail address)"),
    "admin.users.role": ("Roll", "Role"),
    "admin.users.team": ("Lag (för trygghetsvandrare)", "Team (for safety-walk teams)"),
    "admin.users.team_help": (
        "En trygghetsvandrare ser bara sitt eget lags observationer.",
        "A safety-walk team member sees only the team's own observations."),
    "admin.users.password": ("Lösenord", "Password"),
    "admin.users.password_help": (
        "Minst 10 tecken. Lämna tomt så skapas ett slumpat lösenord som visas en gång.",
        "At least 10 characters. Leave empty to generate a random one, shown once."),
    "admin.users.add_submit": ("Skapa användare", "Create user"),
    "admin.users.created": ("Användaren {user} är skapad.", "The user {user} was created."),
    "admin.users.generated_password": (
        "Lösenordet visas bara nu; ge det till användaren på ett säkert sätt:",
        "The password is shown only now; hand it to the user safely:"),
    "admin.users.none": ("Det finns inga användare.", "There are no users."),
    "admin.users.change_role": ("Byt roll", "Change role"),
    "admin.users.pick": ("Användare", "User"),
    "admin.users.new_role": ("Ny roll", "New role"),
    "admin.users.role_submit": ("Byt roll", "Change role"),
    "admin.users.role_changed": ("{user} har nu rollen {role}.", "{user} now has the role {role}."),
    "admin.users.password_heading": ("Nytt lösenord", "New password"),
    "admin.users.password_submit": ("Skapa nytt lösenord", "Make a new password"),
    "admin.users.password_reset": ("{user} har fått ett nytt lösenord.",
                                   "{user} has a new password."),
    "admin.users.active_heading": ("Inaktivera eller aktivera", "Deactivate or reactivate"),
    "admin.users.deactivate": ("Inaktivera", "Deactivate"),
    "admin.users.activate": ("Aktivera", "Reactivate"),
    "admin.users.deactivated": ("{user} är inaktiverad och kan inte logga in.",
                                "{user} is deactivated and cannot log in."),
    "admin.users.activated": ("{user} är aktiv igen.", "{user} is active again."),
    "admin.audit.from": ("Från", "From"),
    "admin.audit.to": ("Till och med", "To (inclusive)"),
    "admin.audit.user": ("Användare", "User"),
    "admin.audit.actions": ("Händelser", "Actions"),
    "admin.audit.count": ("{n} rader", "{n} rows"),
    "admin.audit.limited": (
        "Bara de {n} senaste raderna visas; begränsa datumen för att se äldre.",
        "Only the latest {n} rows are shown; narrow the dates to see older ones."),
    "admin.audit.download": ("Ladda ner som CSV", "Download as CSV"),
    "admin.audit.col.id": ("Nr", "No."),
    "admin.audit.col.at": ("Tid", "Time"),
    "admin.audit.col.username": ("Användare", "User"),
    "admin.audit.col.role": ("Roll", "Role"),
    "admin.audit.col.action": ("Händelse", "Action"),
    "admin.audit.col.entity": ("Vad", "What"),
    "admin.audit.col.entity_id": ("Vilken", "Which"),
    "admin.audit.col.detail": ("Detaljer", "Details"),
}
