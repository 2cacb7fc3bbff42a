"""One-click snapshot for the minutes, for a zone card: a download button whose file is made
(and the export audited) when it is clicked. Shown only to roles that may export."""

from __future__ import annotations

import streamlit as st

from mapapp.access import Perm
from mapapp.snapshot import MIME, export_snapshot, suggested_name
from mapapp.ui import context as ctx


def snapshot_button(zone_name: str | None, *, fmt: str = "docx", key: str | None = None) -> None:
    """A "Lägesbild till protokollet" button for ``zone_name`` (None: the whole district):
    the latest statistical year, observations of the last six months, no free-text notes."""
    who = ctx.principal()
    if who is None or not who.can(Perm.EXPORT):
        return
    engine, settings, lang = ctx.get_engine(), ctx.get_settings(), ctx.lang()

    def make() -> bytes:  # runs when clicked, so each download is one audited export
        return export_snapshot(engine, who, zone=zone_name, period=None, since=None, fmt=fmt,
                               settings=settings, lang=lang).data

    name = suggested_name(zone_name, None, fmt)
    st.download_button(ctx.tr("snapshot.page.button"), data=make, file_name=name,
                       mime=MIME[fmt], on_click="ignore", icon=":material/description:",
                       key=key or f"snapshot_button_{name}")
