"""Messages in Swedish (default) and English.

Each topic has its own catalogue module in this package (``core``, ``io``, ``ui`` …) that
defines ``MESSAGES: dict[str, tuple[str, str]]`` -- key -> (Swedish, English). A tuple makes it
impossible to add one language without the other; a test checks that no key is defined twice
and that both texts take the same ``{placeholders}``.

>>> t("common.yes")
'Ja'
>>> t("common.yes", "en")
'Yes'
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

LANGS = ("sv", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, tuple[str, str]]:
    """Every message of every topic module, merged. Duplicate keys raise."""
    merged: dict[str, tuple[str, str]] = {}
    for mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        messages = importlib.import_module(f"{__name__}.{mod}").MESSAGES
        dup = set(messages) & set(merged)
        if dup:
            raise RuntimeError(f"i18n keys defined twice ({mod}): {sorted(dup)}")
        merged.update(messages)
    return merged


def t(key: str, lang: str = "sv", /, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in. An unknown key returns the key
    itself (visible in the UI, caught by the i18n test) rather than crashing a page."""
    pair = catalogue().get(key)
    if pair is None:
        return key
    text = pair[0] if lang != "en" else pair[1]
    return text.format(**params) if params else text


def bilingual(key: str, /, **params: object) -> str:
    """"svensk text / English text", for places shown to both (CLI --help, logs)."""
    return f"{t(key, 'sv', **params)} / {t(key, 'en', **params)}"
