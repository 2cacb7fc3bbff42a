"""User text inside ``st.markdown``, ``st.caption``, headings and labels."""

from __future__ import annotations

from typing import Any

from mapapp.textsafe import markdown_text


def md(text: Any) -> str:
    """User text for ``st.markdown`` (:func:`mapapp.textsafe.markdown_text`): a name cannot
    become a link, an image (a request to another origin) or formatting."""
    return markdown_text(text)
