"""Trygghet: the city's trygghetsmätning per stadsdel beside reported crime, so the council
sees where perception and statistics disagree; roles that may import can upload a file here.
Thin: :mod:`mapapp.council.trygghet` reads, checks and computes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from mapapp.access import Perm
from mapapp.council.trygghet import compare, import_trygghet, trygghet_frame
from mapapp.errors import MapAppError
from mapapp.textsafe import markdown_text
from mapapp.ui import context as ctx

PERMISSION = Perm.VIEW_AGGREGATES


def _upload() -> None:
    who = ctx.require_principal()
    if not who.can(Perm.IMPORT):
        return
    with st.expander(ctx.tr("trygghet.page.upload"), icon=":material/upload_file:"):
        f = st.file_uploader(ctx.tr("trygghet.page.upload"), type=["csv", "xlsx"],
                             key="trygghet_file", label_visibility="collapsed")
        if f is not None and st.button(ctx.tr("imp.run"), key="trygghet_run"):
            with tempfile.TemporaryDirectory() as d:
                path = Path(d) / Path(f.name).name
                path.write_bytes(f.getvalue())
                try:
                    n = import_trygghet(ctx.get_engine(), who, path)
                except MapAppError as exc:
                    st.error(markdown_text(exc.text(ctx.lang())).replace("\n", "  \n"))
                    return
            st.success(ctx.tr("trygghet.imported", n=n))


def render() -> None:
    who = ctx.require_principal()
    st.title(ctx.tr("trygghet.page.title"))
    st.caption(ctx.tr("trygghet.page.intro"))
    _upload()
    df = trygghet_frame(ctx.get_engine(), who)
    if df.empty:
        st.info(ctx.tr("trygghet.page.none"))
        return
    c1, c2 = st.columns([3, 1])
    indicator = c1.selectbox(ctx.tr("trygghet.page.indicator"), sorted(df["indicator"].unique()),
                             key="trygghet_indicator")
    years = sorted(df[df["indicator"] == indicator]["year"].unique(), reverse=True)
    year = c2.selectbox(ctx.tr("trygghet.page.year"), years, key="trygghet_year")
    recs = compare(ctx.get_engine(), who, indicator=str(indicator), year=int(year))
    col = lambda k: ctx.tr(f"trygghet.col.{k}")  # noqa: E731
    st.dataframe(pd.DataFrame({
        col("stadsdel"): [r["stadsdel"] for r in recs],
        col("share"): [r["share"] for r in recs],
        col("respondents"): [r["respondents"] for r in recs],
        col("crimes"): [r["crimes"] for r in recs],
        col("share_rank"): [round(r["share_rank"], 2) for r in recs],
        col("crime_rank"): [round(r["crime_rank"], 2) for r in recs],
        col("disagree"): [ctx.tr(f"trygghet.disagree.{r['disagree']}") for r in recs]}),
        hide_index=True, width="stretch")
