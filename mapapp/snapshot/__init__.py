"""Area snapshots for the council's minutes: map + figures + measures as DOCX, PDF, HTML or
the map alone as PNG.

>>> from mapapp.snapshot import make_snapshot            # doctest: +SKIP
>>> make_snapshot(engine, who, zone="Älvsjö/Solberga", period="2021-2022", since=None,
...               out=Path("lagesbild.docx"))              # doctest: +SKIP

Modules: :mod:`~mapapp.snapshot.content` (what a snapshot holds, from the store and the
analysis functions), :mod:`~mapapp.snapshot.staticmap` (the map image),
:mod:`~mapapp.snapshot.outline` (the document's order), and one writer per format
(:mod:`~mapapp.snapshot.docx`, :mod:`~mapapp.snapshot.pdf`, :mod:`~mapapp.snapshot.html`);
:mod:`~mapapp.snapshot.followup` writes a safety walk's follow-up sheet (DOCX/PDF).

Privacy for a public record: counts below ``Settings.suppress_below`` are written "<5";
sensitive categories only as counts; free-text notes only with ``include_notes``; every
export is audited with its filter (action ``export``, entity ``snapshot``).
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from mapapp.access import Perm, Principal
from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import t
from mapapp.settings import Settings, load_settings
from mapapp.snapshot.content import Snapshot, gather
from mapapp.snapshot.staticmap import RenderedMap, render_map
from mapapp.store import audit

FORMATS: dict[str, str] = {".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html",
                           ".png": "png"}
MIME: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf", "html": "text/html; charset=utf-8", "png": "image/png",
}

__all__ = ["FORMATS", "MIME", "Export", "export_snapshot", "make_snapshot", "render",
           "format_of", "suggested_name", "tile_source"]


@dataclass(frozen=True)
class Export:
    """One exported snapshot: the file's bytes, its format and what it shows."""

    data: bytes
    fmt: str
    snapshot: Snapshot
    map: RenderedMap

    @property
    def mime(self) -> str:
        return MIME[self.fmt]


def suggested_name(zone: str | None, period: str | None, fmt: str) -> str:
    """A file name for a download: ``lagesbild-alvsjo-solberga-2021-2022.docx``.

    >>> suggested_name("Älvsjö/Solberga", "2021-2022", "docx")
    'lagesbild-alvsjo-solberga-2021-2022.docx'
    >>> suggested_name(None, None, "pdf")
    'lagesbild-hagersten-alvsjo.pdf'
    """
    import unicodedata

    parts = ["lagesbild", zone or "Hägersten-Älvsjö"] + ([period] if period else [])
    text = unicodedata.normalize("NFKD", "-".join(parts)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return f"{slug}.{fmt}"


def format_of(path: Path | str, *, lang: str = "sv") -> str:
    suffix = Path(path).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise DataValidationError([Problem(None, "out", t("snapshot.bad_format", lang,
                                                          suffix=suffix or "–"))])
    return fmt


def tile_source(settings: Settings) -> tuple[str | None, str]:
    """(address or None, plain-text attribution) of the configured basemap for the static map:
    None for the bundled (or imported vector) basemap, which the static map draws itself; an
    XYZ template for a tile server; a ``file://`` template for a local MBTiles/PMTiles (its
    published tiles, read from disk); a GetMap address with ``{bbox}``, ``{width}`` and
    ``{height}`` for a WMS (one image of the map's extent in EPSG:3857)."""
    base = settings.base
    if base.kind in ("mbtiles", "pmtiles") and base.path:
        from mapapp.render.tiles import publish_mbtiles

        tiles = publish_mbtiles(base.path)
        text = tiles.attribution or base.attribution
        url = tiles.folder.as_uri() + "/{z}/{x}/{y}." + tiles.url.rsplit(".", 1)[-1]
        return url, _html.unescape(re.sub(r"<[^>]*>", "", text)).strip()
    if base.is_local or base.url is None:
        return None, ""
    text = _html.unescape(re.sub(r"<[^>]*>", "", base.attribution)).strip()
    if base.kind == "wms":
        from urllib.parse import quote

        sep = "&" if "?" in base.url else "?"
        return (f"{base.url}{sep}SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap"
                f"&LAYERS={quote(str(base.layers), safe=',')}&STYLES=&CRS=EPSG:3857"
                "&FORMAT=image/png&BBOX={bbox}&WIDTH={width}&HEIGHT={height}"), text
    return base.url, text


def render(snap: Snapshot, fmt: str, *, dpi: int = 150, tiles: bool | None = None,
           settings: Settings | None = None) -> tuple[bytes, RenderedMap]:
    """The bytes of ``snap`` in ``fmt`` (docx, pdf, html, png) and the map drawn for it.
    ``tiles``: draw the map on the configured basemap (:func:`tile_source`); None (the
    default): whenever ``MAPAPP_BASEMAP`` names one (a tile server, a WMS or WMTS, a local
    MBTiles/PMTiles) -- the snapshot uses the same basemap as the app."""
    settings = settings or load_settings()
    if not 50 <= int(dpi) <= 600:
        raise DataValidationError([Problem(None, "dpi", t("snapshot.bad_dpi", snap.lang,
                                                          dpi=dpi))])
    if tiles is None:
        tiles = not settings.base.is_local
    url, attribution = tile_source(settings) if tiles else (None, "")
    vector = settings.base.path if settings.base.kind == "vector" else None
    rendered = render_map(snap.map, lang=snap.lang, dpi=int(dpi), tiles_url=url,
                          tiles_attribution=attribution, title=f"{snap.area} · {snap.period}",
                          basemap_path=vector)
    if fmt == "png":
        return rendered.png, rendered
    if fmt == "docx":
        from mapapp.snapshot.docx import write_docx

        return write_docx(snap, rendered.png), rendered
    if fmt == "pdf":
        from mapapp.snapshot.pdf import write_pdf

        return write_pdf(snap, rendered.png, (rendered.width_px, rendered.height_px)), rendered
    if fmt == "html":
        from mapapp.snapshot.html import write_html

        return write_html(snap, rendered.png), rendered
    raise DataValidationError([Problem(None, "format", t("snapshot.bad_format", snap.lang,
                                                         suffix=fmt))])


def export_snapshot(
    engine: Engine,
    who: Principal,
    *,
    zone: str | None,
    period: str | None,
    since: date | str | None,
    fmt: str,
    include_notes: bool = False,
    dpi: int = 150,
    tiles: bool | None = None,
    file_name: str | None = None,
    settings: Settings | None = None,
    lang: str | None = None,
) -> Export:
    """Gather, render and audit one snapshot (needs :attr:`Perm.EXPORT`). The audit row
    (action ``export``, entity ``snapshot``) holds the filter, the format and the file name."""
    settings = settings or load_settings()
    lang = lang or settings.lang
    who.require(Perm.EXPORT)
    snap = gather(engine, who, zone=zone, period=period, since=since,
                  include_notes=include_notes, settings=settings, lang=lang)
    data, rendered = render(snap, fmt, dpi=dpi, tiles=tiles, settings=settings)
    with engine.begin() as conn:
        audit.record(conn, who, "export", "snapshot", snap.zone or "district",
                     format=fmt, file=file_name, filter=snap.filter, dpi=int(dpi),
                     tiles=rendered.tiles_used, bytes=len(data))
    return Export(data, fmt, snap, rendered)


def make_snapshot(
    engine: Engine,
    who: Principal,
    *,
    zone: str | None,
    period: str | None,
    since: date | None,
    out: Path,
    include_notes: bool = False,
    dpi: int = 150,
    tiles: bool | None = None,
    settings: Settings | None = None,
    lang: str | None = None,
) -> Path:
    """Write the snapshot of ``zone`` (None: the whole district) for ``period`` (default: the
    latest statistical year) with the observations since ``since`` (default: six months ago)
    to ``out``; the suffix picks the format (.docx, .pdf, .html, .png). Returns ``out``."""
    settings = settings or load_settings()
    lang = lang or settings.lang
    who.require(Perm.EXPORT)
    out = Path(out)
    fmt = format_of(out, lang=lang)
    exp = export_snapshot(engine, who, zone=zone, period=period, since=since, fmt=fmt,
                          include_notes=include_notes, dpi=dpi, tiles=tiles,
                          file_name=out.name, settings=settings, lang=lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(exp.data)
    return out
