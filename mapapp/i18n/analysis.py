"""Lägesbild figures: periods, statistics, hotspot flags, Gi* classes, before/after."""

MESSAGES: dict[str, tuple[str, str]] = {
    "analysis.bad_period_kind": (
        "Okänd periodtyp: {kind}. Tillåtna: {allowed}",
        "Unknown period kind: {kind}. Allowed: {allowed}",
    ),
    "analysis.bad_start_month": (
        "Statistikårets startmånad måste vara 1–12, inte {month}.",
        "The statistical year's start month must be 1–12, not {month}.",
    ),
    "analysis.bad_period": (
        "Okänd period: {label}. Skriv t.ex. 2021-2022 (statistikår), 2021 (kalenderår) "
        "eller 2022-09-01–2023-08-31 (rullande 12 månader).",
        "Unknown period: {label}. Write e.g. 2021-2022 (statistical year), 2021 (calendar "
        "year) or 2022-09-01–2023-08-31 (rolling 12 months).",
    ),
    "analysis.naive_time": (
        "Tidpunkter saknar tidszon (occurred_at). Ange dem med tidszon, t.ex. +02:00 eller UTC.",
        "Times have no time zone (occurred_at). Give them with a zone, e.g. +02:00 or UTC.",
    ),
    "analysis.no_data": (
        "Det finns inga händelser eller observationer med tidpunkt att räkna på.",
        "There are no incidents or observations with a time to count.",
    ),
    "analysis.missing_columns": (
        "{what} saknar kolumnerna {columns}.",
        "{what} lacks the columns {columns}.",
    ),
    # Column headings of the statistics table.
    "analysis.col.zone": ("Område", "Zone"),
    "analysis.col.category": ("Kategori", "Category"),
    "analysis.col.period": ("Period", "Period"),
    "analysis.col.count": ("Antal", "Count"),
    "analysis.col.change_abs": ("Förändring", "Change"),
    "analysis.col.change_pct": ("Förändring %", "Change %"),
    "analysis.col.per_1000": ("Per 1 000 inv.", "Per 1,000 residents"),
    # Period kinds.
    "analysis.kind.statistical": ("Statistikår", "Statistical year"),
    "analysis.kind.calendar": ("Kalenderår", "Calendar year"),
    "analysis.kind.rolling12": ("Rullande 12 månader", "Rolling 12 months"),
    # Time bands: name, and the phrase used in a flag reason.
    "analysis.band.skoltid": ("Skoltid (vardagar 08–16)", "School hours (weekdays 08–16)"),
    "analysis.band.kvall": ("Kväll (vardagar 18–24)", "Evening (weekdays 18–24)"),
    "analysis.band.natt": ("Natt (vardagar 00–06)", "Night (weekdays 00–06)"),
    "analysis.band.helg": ("Helg", "Weekend"),
    "analysis.band.alla": ("Alla tider", "All times"),
    "analysis.bandphrase.skoltid": ("under skoltid", "during school hours"),
    "analysis.bandphrase.kvall": ("kvällstid", "in the evening"),
    "analysis.bandphrase.natt": ("nattetid", "at night"),
    "analysis.bandphrase.helg": ("på helger", "at weekends"),
    "analysis.bandphrase.alla": ("totalt", "in all"),
    "analysis.kind1.incident": ("händelse", "incident"),
    "analysis.kindn.incident": ("händelser", "incidents"),
    "analysis.kind1.observation": ("observation", "observation"),
    "analysis.kindn.observation": ("observationer", "observations"),
    "analysis.site.reason": (
        "{site}: {count} {what} {band}, {ratio} × distriktets snitt",
        "{site}: {count} {what} {band}, {ratio} × the district mean",
    ),
    "analysis.site.not_flagged": ("Inte flaggad", "Not flagged"),
    "analysis.site.flagged_times": (
        "Flaggad {n} av {total} perioder",
        "Flagged in {n} of {total} periods",
    ),
    # Gi* classes, as in ArcGIS Hot Spot Analysis.
    "analysis.gi.hot99": ("Het punkt 99 %", "Hot spot 99 %"),
    "analysis.gi.hot95": ("Het punkt 95 %", "Hot spot 95 %"),
    "analysis.gi.hot90": ("Het punkt 90 %", "Hot spot 90 %"),
    "analysis.gi.ns": ("Inte signifikant", "Not significant"),
    "analysis.gi.cold90": ("Kall punkt 90 %", "Cold spot 90 %"),
    "analysis.gi.cold95": ("Kall punkt 95 %", "Cold spot 95 %"),
    "analysis.gi.cold99": ("Kall punkt 99 %", "Cold spot 99 %"),
    "analysis.grid.bad_kind": (
        "Okänd rutnätstyp: {kind}. Tillåtna: square, h3",
        "Unknown grid kind: {kind}. Allowed: square, h3",
    ),
    "analysis.grid.h3_missing": (
        "H3-rutnät kräver paketet h3 (pip install h3). Använd annars kvadratiska rutor.",
        "An H3 grid needs the package h3 (pip install h3). Otherwise use square cells.",
    ),
    "analysis.grid.empty": (
        "Distriktets gräns är tom; inget rutnät kan byggas.",
        "The district outline is empty; no grid can be built.",
    ),
    # Measures and before/after.
    "analysis.measure.no_start": (
        "Åtgärd {id} ({title}) saknar startdatum; före/efter kan inte beräknas.",
        "Measure {id} ({title}) has no start date; before/after cannot be computed.",
    ),
    "analysis.measure.no_place": (
        "Åtgärd {id} ({title}) har varken område eller plats.",
        "Measure {id} ({title}) has neither a zone nor a site.",
    ),
    "analysis.measure.unknown_site": (
        "Åtgärd {id}: platsen {site} finns inte bland platserna.",
        "Measure {id}: the site {site} is not among the sites.",
    ),
    "analysis.ba.too_few": (
        "för få händelser för slutsatser",
        "too few events for conclusions",
    ),
    "analysis.ba.incomplete": (
        "efterperioden är inte slut än (data till {last})",
        "the after period has not ended yet (data until {last})",
    ),
    "analysis.ba.same_months": (
        "samma månader året innan",
        "the same months a year earlier",
    ),
    "analysis.ba.immediately_before": (
        "månaderna närmast före",
        "the months immediately before",
    ),
}
