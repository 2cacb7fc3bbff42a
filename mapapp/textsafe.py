"""Make user text safe for where it goes: HTML/JS map templates, CSV/XLSX cells, Markdown.

folium's Popup, Tooltip and GeoJsonTooltip put text into HTML *and* into JavaScript template
literals, so a backtick or ``${…}`` can break out even of HTML-escaped text: :func:`html_text`
escapes both. Spreadsheet programs run a cell that starts with ``= + - @``, a tab or a carriage
return as a formula: :func:`csv_cell` neutralises that with a leading apostrophe.
"""

from __future__ import annotations

import html
import re
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def html_text(value: Any) -> str:
    """Text for HTML and JS template contexts.

    >>> html_text('<script>alert(`x${1}`)</script>')
    '&lt;script&gt;alert(&#96;x&#36;{1}&#96;)&lt;/script&gt;'
    >>> html_text(None)
    ''
    """
    if value is None:
        return ""
    s = html.escape(str(value), quote=True)
    return s.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def csv_cell(value: Any) -> Any:
    """A value for a CSV/XLSX cell that a spreadsheet shows as text, never runs.

    >>> csv_cell("=SUM(A1)")
    "'=SUM(A1)"
    >>> csv_cell(-3)
    -3
    >>> csv_cell("")
    ''
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def markdown_text(value: Any) -> str:
    r"""Text for Streamlit's Markdown (``st.markdown``, ``st.caption``, ``st.info``, widget and
    expander labels …): every character Markdown, Streamlit's colour/emoji/icon directives or
    LaTeX would act on is backslash-escaped, so a name can be neither a link nor an image (a
    request to another site) nor formatting.

    >>> markdown_text("![p](http://evil.example/p.png)")
    '\\!\\[p\\]\\(http\\://evil\\.example/p\\.png\\)'
    >>> markdown_text(None)
    ''
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", "" if value is None else str(value))

