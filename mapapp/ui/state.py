"""Session state in one place: the names of the keys that live across reruns, how a widget key
is made, and messages to show after a rerun ("flash").

Every key that is read on another rerun or by another page is a constant here; a widget key
that belongs to one record is made with :func:`key` (``key("atg", "edit", 7, "title")`` ->
``"atg_edit_7_title"``), and :func:`clear` drops every key under a prefix.

A flash is stored as a :class:`~mapapp.i18n.Message` (a key and parameters), so it is shown in
the language of the rerun that shows it::

    state.flash("atgarder", "measures.ui.saved", id=7)
    st.rerun()
    ...
    state.show_flash("atgarder", lang)       # on the next run: st.success(...) once
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

from mapapp.i18n import Message

# --- keys that live across reruns and pages -----------------------------------------------------
PRINCIPAL = "mapapp_principal"  # the signed-in Principal
LANG = "mapapp_lang"  # the chosen language
MAP_FILTER = "mapapp_map_filter"  # filters shared by Karta and Område (not a widget key)
MAP_SELECTION = "mapapp_map_selection"  # ("zone" | "site", id) picked on Karta/Område
_FLASH = "mapapp_flash"  # {page: Flash}

FlashKind = Literal["success", "info", "warning", "error"]


def key(*parts: object) -> str:
    """A session/widget key made of ``parts`` joined by ``_``.

    >>> key("atg", "edit", 7, "title")
    'atg_edit_7_title'
    """
    return "_".join(str(p) for p in parts)


def clear(prefix: str) -> None:
    """Forget every session key under ``prefix`` (``prefix`` itself and ``prefix_*``)."""
    for k in [k for k in st.session_state if k == prefix or str(k).startswith(f"{prefix}_")]:
        del st.session_state[k]


@dataclass(frozen=True)
class Flash:
    """A message to show once, after the rerun that a save triggers. ``extra`` carries what
    the page shows with it (a generated password, the id of a new record)."""

    message: Message
    kind: FlashKind = "success"
    extra: Any = None


def flash(page: str, msg_key: str, /, *, kind: FlashKind = "success", extra: Any = None,
          count: int | None = None, **params: Any) -> None:
    """Keep a message for ``page`` to show on its next run."""
    st.session_state.setdefault(_FLASH, {})[page] = Flash(Message(msg_key, params, count),
                                                          kind, extra)


def pop_flash(page: str) -> Flash | None:
    """The message kept for ``page`` (gone after this call), or None."""
    stored: dict[str, Flash] = st.session_state.get(_FLASH) or {}
    return stored.pop(page, None)


def show_flash(page: str, *, lang: str) -> Flash | None:
    """Show the message kept for ``page`` once, in ``lang``; return it (for its ``extra``)."""
    f = pop_flash(page)
    if f is not None:
        getattr(st, f.kind)(f.message.text(lang))
    return f
