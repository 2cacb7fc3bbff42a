"""Error classes. The UI and the CLI catch :class:`MapAppError` and render it in the user's
language with :meth:`MapAppError.text`.

An error carries a message key and its parameters (words are made at the edges, see
:mod:`mapapp.i18n`); ``str(error)`` is the Swedish text, so the rendered message stays
available. Validation collects every problem first and raises once with all of them; each
:class:`Problem` names the row or field and what to do.

>>> e = NotFoundError("zone.not_found", name="Nowhere", known="Liljeholmen")
>>> e.text("en")
'Unknown zone: Nowhere. Known zones: Liljeholmen'
>>> str(e)
'Okänt område: Nowhere. Kända områden: Liljeholmen'
>>> p = Problem(3, "lat", "io.rows", count=2)
>>> p.text("en"), p.message
('2 rows', '2 rader')

A text that is not a message key is kept as it is (for messages already rendered):

>>> MapAppError("Något gick fel").text("en")
'Något gick fel'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mapapp.i18n import DEFAULT_LANG, Message, has


def _message(key: str, params: Mapping[str, Any], count: int | None = None) -> Message | str:
    return Message(key, dict(params), count) if (has(key) or has(f"{key}.other")) else key


class MapAppError(Exception):
    """Base class of every error that mapapp raises on purpose: a message key and parameters
    (or, for a message that was already rendered, its text)."""

    def __init__(self, key: str = "", /, **params: Any) -> None:
        self.key = key
        self.params = params
        self.message: Message | str = _message(key, params)
        super().__init__(str(self.message))

    def text(self, lang: str | None = DEFAULT_LANG) -> str:
        """The message in ``lang``."""
        return self.message.text(lang) if isinstance(self.message, Message) else self.message


class ConfigurationError(MapAppError, ValueError):
    """A setting is missing, unknown or has a bad value."""


class NotFoundError(MapAppError, LookupError):
    """A zone, site, measure, walk or user that was asked for does not exist."""


class PermissionDeniedError(MapAppError, PermissionError):
    """The role of the signed-in user does not allow this."""


class StoreError(MapAppError, RuntimeError):
    """The database could not do what was asked (locked, unreachable, schema too old)."""


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is (row/feature number, 1-based; or None for the file),
    which field, and a message key with its parameters that says what to do (or an already
    rendered text). ``code`` is the key, for code that sorts problems by kind."""

    row: int | None
    field: str | None
    key: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    count: int | None = None

    @property
    def code(self) -> str:
        return self.key

    def text(self, lang: str | None = DEFAULT_LANG) -> str:
        msg = _message(self.key, self.params, self.count)
        return msg.text(lang) if isinstance(msg, Message) else msg

    @property
    def message(self) -> str:
        """The Swedish text."""
        return self.text(DEFAULT_LANG)

    def __str__(self) -> str:
        return self.message


class DataValidationError(MapAppError, ValueError):
    """Input data was rejected. ``problems`` lists every problem found (not just the first);
    ``summary`` is an optional first line (a key, a :class:`Message` or a text)."""

    def __init__(self, problems: Sequence[Problem] | str, *, summary: Message | str | None = None,
                 **params: Any) -> None:
        if isinstance(problems, str):
            problems = [Problem(None, None, problems, params)]
        self.problems: list[Problem] = list(problems)
        self.summary = summary
        super().__init__(self.text(DEFAULT_LANG))
        self.message = self.text(DEFAULT_LANG)

    def text(self, lang: str | None = DEFAULT_LANG) -> str:
        lines: list[str] = []
        if isinstance(self.summary, Message):
            lines.append(self.summary.text(lang))
        elif self.summary:
            msg = _message(self.summary, {})
            lines.append(msg.text(lang) if isinstance(msg, Message) else msg)
        lines += [p.text(lang) for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"… (+{len(self.problems) - 50})")
        return "\n".join(lines)
