"""The snapshot as one standalone HTML file: the same blocks as the DOCX, the map embedded as a
PNG data URI, no script, nothing loaded from elsewhere (a Content-Security-Policy says so).
Every text goes through :func:`mapapp.textsafe.html_text`.
"""

from __future__ import annotations

import base64

from mapapp.snapshot.content import Snapshot, Table
from mapapp.snapshot.outline import Bullets, Heading, MapImage, Meta, Para, TableBlock, blocks, plain
from mapapp.textsafe import html_text

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;line-height:1.4}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:1.6rem}h3{font-size:1.05rem}
h4{font-size:.95rem}
table{border-collapse:collapse;margin:.4rem 0;font-size:.85rem}
th,td{border:1px solid #888;padding:.2rem .4rem;vertical-align:top;text-align:left}
th{background:#e8eef4}
.meta{margin:0}.note{font-style:italic;font-size:.8rem;margin:.2rem 0}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #ccc}
figcaption{font-style:italic;font-size:.8rem;text-align:center}
"""
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _e(text: str) -> str:
    return html_text(plain(text))


def _table(tb: Table, level: int) -> list[str]:
    h = min(level + 1, 6)
    out = [f"<h{h}>{_e(tb.title)}</h{h}>"]
    if tb.rows:
        out.append("<table>")
        out.append("<thead><tr>" + "".join(f"<th scope=\"col\">{_e(c)}</th>"
                                           for c in tb.headers) + "</tr></thead><tbody>")
        for row in tb.rows:
            out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
        out.append("</tbody></table>")
    out += [f"<p class=\"note\">{_e(n)}</p>" for n in tb.notes]
    return out


def write_html(snap: Snapshot, map_png: bytes) -> bytes:
    """The HTML file's bytes (UTF-8)."""
    body: list[str] = []
    for b in blocks(snap):
        if isinstance(b, Heading):
            h = b.level + 1
            body.append(f"<h{h}>{_e(b.text)}</h{h}>")
        elif isinstance(b, Meta):
            body += [f"<p class=\"meta\"><strong>{_e(k)}:</strong> {_e(v)}</p>"
                     for k, v in b.pairs]
        elif isinstance(b, Para):
            cls = " class=\"note\"" if b.small else ""
            body.append(f"<p{cls}>{_e(b.text)}</p>")
        elif isinstance(b, Bullets):
            body.append(f"<p><strong>{_e(b.label)}</strong></p><ul>"
                        + "".join(f"<li>{_e(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, MapImage):
            data = base64.b64encode(map_png).decode("ascii")
            body.append(f"<figure><img src=\"data:image/png;base64,{data}\" "
                        f"alt=\"{_e(b.caption)}\"><figcaption>{_e(b.caption)}</figcaption>"
                        "</figure>")
        elif isinstance(b, TableBlock):
            body += _table(b.table, b.level)
    lang = "en" if snap.lang == "en" else "sv"
    page = (
        "<!DOCTYPE html>\n"
        f"<html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_e(snap.title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(body) + "\n</body></html>\n"
    )
    return page.encode("utf-8")
