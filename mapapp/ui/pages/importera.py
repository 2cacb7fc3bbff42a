"""Import: upload a file, preview its first rows, import with a progress bar, and read every
problem (row, field, what to do) when the file is refused. Calls the same functions as
``mapapp import``."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from mapapp.access import Perm
from mapapp.errors import DataValidationError
from mapapp.logs import survived
from mapapp.ui import context as ctx

log = logging.getLogger(__name__)

PERMISSION = Perm.IMPORT
KINDS = ("incidents", "observations", "zones", "statistics")
TYPES = ["csv", "txt", "xlsx", "geojson", "json", "gpkg", "zip"]


def _preview(path: Path, kind: str) -> None:
    st.caption(ctx.tr("imp.preview"))
    try:
        suffix = path.suffix.lower()
        if suffix in (".csv", ".txt"):
            df = pd.read_csv(path, sep=None, engine="python", nrows=10, dtype=str,
                             encoding="utf-8-sig")
        elif suffix == ".xlsx":
            df = pd.read_excel(path, nrows=10, dtype=str)
        elif suffix in (".geojson", ".gpkg", ".zip") or (suffix == ".json" and kind != "incidents"):
            import geopandas as gpd

            gdf = gpd.read_file(path, rows=10)
            df = pd.DataFrame(gdf.drop(columns="geometry").astype(str))
            df["geometry"] = gdf.geometry.geom_type
        else:
            import json

            data = json.loads(path.read_text("utf-8"))
            df = pd.json_normalize(data[:10] if isinstance(data, list) else data)
        st.dataframe(df, hide_index=True, width="stretch")
    except Exception as exc:  # a preview must never stop the import itself
        survived(log, exc, "import preview failed")
        st.info(ctx.tr("imp.preview_failed", error=ctx.error_text(exc)[:200]))


def _problems(exc: DataValidationError) -> None:
    st.error(ctx.tr("imp.rejected"))
    rows = [{ctx.tr("imp.col.row"): p.row, ctx.tr("imp.col.field"): p.field,
             ctx.tr("imp.col.message"): p.text(ctx.lang())} for p in exc.problems]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def render() -> None:
    who = ctx.require_principal()
    lang = ctx.lang()
    st.title(ctx.tr("imp.title"))
    st.write(ctx.tr("imp.intro"))
    kind = st.radio(ctx.tr("imp.kind"), KINDS, key="imp_kind", horizontal=True,
                    format_func=lambda k: ctx.tr(f"imp.kind.{k}"))
    upload = st.file_uploader(ctx.tr("imp.file"), type=TYPES, key="imp_file")
    c1, c2, c3 = st.columns(3)
    if kind == "statistics":
        source = c1.text_input(ctx.tr("imp.source"), value="polisen", key="imp_stat_source")
        extracted = c2.date_input(ctx.tr("imp.extracted"), value=None, key="imp_extracted")
        year = c3.number_input(ctx.tr("imp.year"), min_value=2000, max_value=2100, value=None,
                               step=1, key="imp_year")
        sheet = c1.text_input(ctx.tr("imp.layer"), key="imp_sheet")
        preliminary = c2.checkbox(ctx.tr("imp.preliminary"), key="imp_prelim")
    else:
        crs = c1.text_input(ctx.tr("imp.crs"), key="imp_crs")
        layer = c2.text_input(ctx.tr("imp.layer"), key="imp_layer")
        source = c3.text_input(ctx.tr("imp.source"), key="imp_source")
        skip = c1.checkbox(ctx.tr("imp.skip_invalid"), key="imp_skip")
        outside = c2.checkbox(ctx.tr("imp.keep_outside"), key="imp_outside")
        repair = c3.checkbox(ctx.tr("imp.repair"), key="imp_repair")
    if upload is None:
        return
    workdir = Path(tempfile.mkdtemp(prefix="mapapp-upload-"))
    path = workdir / Path(upload.name).name  # the name only: never a path from the browser
    path.write_bytes(upload.getvalue())
    _preview(path, kind)
    if not st.button(ctx.tr("imp.run"), type="primary", key="imp_run"):
        return
    engine = ctx.get_engine()
    try:
        if kind == "statistics":
            from mapapp.io.statistics import import_statistics

            with st.spinner(ctx.tr("imp.run")):
                report = import_statistics(
                    engine, who, path, sheet=sheet or None, source=source or None,
                    extracted=extracted, preliminary=preliminary,
                    year=int(year) if year else None)
            st.success(ctx.tr("imp.done"))
            st.text("\n".join(m.text(lang) for m in report.notes()))
            return
        from mapapp.io.pipeline import import_file
        from mapapp.io.report import ImportOptions

        bar = st.progress(0.0, text=ctx.tr("imp.progress", done=0, total="…"))

        def progress(done: int, total: int) -> None:
            bar.progress(min(1.0, done / max(total, 1)),
                         text=ctx.tr("imp.progress", done=done, total=total))

        options = ImportOptions(crs=crs or None, layer=layer or None, source=source or None,
                                skip_invalid=skip, keep_outside=outside, repair=repair,
                                rejects_path=workdir / "avvisade.csv", output_lang=lang)
        result = import_file(engine, who, path, kind, options=options, progress=progress)
        bar.progress(1.0, text=ctx.tr("imp.done"))
        st.success(ctx.tr("imp.done"))
        st.text("\n".join(m.text(lang) for m in result.notes()))
        if result.rejects_path is not None and Path(result.rejects_path).exists():
            st.download_button(ctx.tr("imp.rejects_download"),
                               Path(result.rejects_path).read_bytes(),
                               file_name="avvisade-rader.csv", mime="text/csv")
    except DataValidationError as exc:
        survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
        _problems(exc)
