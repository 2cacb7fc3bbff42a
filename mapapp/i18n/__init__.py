"""Messages in Swedish (default) and English.

The texts live in per-language TOML files that a translator edits without Python:
``mapapp/i18n/sv/<topic>.toml`` and ``mapapp/i18n/en/<topic>.toml``, one line a message::

    "zone.not_found" = "Okänt område: {name}. Kända områden: {known}"

``{name}`` is filled in by the program. A message that depends on a number has two keys,
``<key>.one`` and ``<key>.other``, and is looked up with :func:`tn` (both languages have the
same two forms). A test checks that both languages have the same keys with the same
placeholders, that no key is defined twice, and that every key the code builds exists.

**The one fallback rule.** A language that mapapp does not have (``None``, ``"de"``) is Swedish;
a key missing in the asked language is taken in Swedish; a key missing in Swedish too is shown
as the key itself (visible, and caught by the test) rather than crashing a page.

>>> t("common.yes")
'Ja'
>>> t("common.yes", "en")
'Yes'
>>> t("common.yes", "de")
'Ja'
>>> tn("io.rows", 1, "sv"), tn("io.rows", 3, "en")
('1 rad', '3 rows')
>>> Message("zone.not_found", {"name": "X", "known": "A"}).text("en")
'Unknown zone: X. Known zones: A'
"""

from __future__ import annotations

import os
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol, runtime_checkable

LANGS = ("sv", "en")
DEFAULT_LANG = "sv"


def resolve_lang(lang: str | None = None) -> str:
    """The language to use: ``lang`` when mapapp has it, else ``MAPAPP_LANG`` when it names one,
    else Swedish.

    >>> resolve_lang("en"), resolve_lang("fi"), resolve_lang("EN")
    ('en', 'sv', 'en')
    """
    for cand in (lang, os.environ.get("MAPAPP_LANG") if lang is None else None):
        if cand and cand.strip().lower() in LANGS:
            return cand.strip().lower()
    return DEFAULT_LANG


@lru_cache(maxsize=len(LANGS))
def messages(lang: str) -> dict[str, str]:
    """Every message of one language, merged over its topic files. A key defined twice raises."""
    merged: dict[str, str] = {}
    folder = resources.files(__name__).joinpath(lang)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        dup = set(data) & set(merged)
        if dup:
            raise RuntimeError(f"i18n keys defined twice ({lang}/{entry.name}): {sorted(dup)}")
        for key, text in data.items():
            if not isinstance(text, str):
                raise RuntimeError(f"i18n {lang}/{entry.name}: {key} is not a string")
            merged[key] = text
    return merged


@lru_cache(maxsize=1)
def catalogue() -> dict[str, tuple[str, str]]:
    """Every key with its (Swedish, English) texts; a key missing in English gets ``""`` there
    (the i18n test fails on it)."""
    sv, en = messages("sv"), messages("en")
    return {k: (sv.get(k, ""), en.get(k, "")) for k in list(sv) + [k for k in en if k not in sv]}


def has(key: str) -> bool:
    """Whether ``key`` is a message key (in Swedish, the language every key must have)."""
    return key in messages(DEFAULT_LANG)


def t(key: str, lang: str | None = DEFAULT_LANG, /, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in (the fallback rule above)."""
    lang = resolve_lang(lang) if lang not in LANGS else lang
    text = messages(lang).get(key)
    if text is None:
        text = messages(DEFAULT_LANG).get(key)
    if text is None:
        return key
    return text.format(**params) if params else text


def tn(key: str, n: int, lang: str | None = DEFAULT_LANG, /, **params: object) -> str:
    """The plural form of ``key`` for the count ``n`` (``<key>.one`` for 1, else
    ``<key>.other``); ``{n}`` is available in the text."""
    return t(f"{key}.{'one' if n == 1 else 'other'}", lang, **{"n": n, **params})


def bilingual(key: str, /, **params: object) -> str:
    """"svensk text / English text", for places shown to both (CLI --help)."""
    return f"{t(key, 'sv', **params)} / {t(key, 'en', **params)}"


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a message text takes.

    >>> sorted(placeholders("{a} och {b:.1f}"))
    ['a', 'b']
    """
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@runtime_checkable
class Renderable(Protocol):
    """Anything that puts itself into words in a language (a :class:`Message`, the list of
    allowed categories, …): a parameter of a message that is rendered with it."""

    def text(self, lang: str | None = DEFAULT_LANG) -> str: ...


@dataclass(frozen=True)
class Message:
    """A message not yet put into words: a key and its parameters. Analysis and import code
    returns these; the UI, the CLI and the documents render them with :meth:`text`.
    A parameter that is itself a :class:`Message` (or any :class:`Renderable`) is rendered in
    the same language; ``count`` set makes it a plural message (:func:`tn`)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    count: int | None = None

    def text(self, lang: str | None = DEFAULT_LANG) -> str:
        params = {k: (v.text(lang) if isinstance(v, Renderable) else v)
                  for k, v in self.params.items()}
        if self.count is not None:
            return tn(self.key, self.count, lang, **params)
        return t(self.key, lang, **params)

    def __str__(self) -> str:
        return self.text(DEFAULT_LANG)


def render(value: Message | str, lang: str | None = DEFAULT_LANG) -> str:
    """Text for a :class:`Message` in ``lang``; a plain string as it is."""
    return value.text(lang) if isinstance(value, Message) else value
