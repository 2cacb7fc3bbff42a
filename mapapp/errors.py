"""Error classes. The UI and the CLI catch :class:`MapAppError` and show its message.

Every message is already translated (Swedish by default) and names the row or field and what
to do; validation collects every problem first and raises once with all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class MapAppError(Exception):
    """Base class of every error that mapapp raises on purpose."""


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
    which field, and the translated message that says what to do."""

    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message


class DataValidationError(MapAppError, ValueError):
    """Input data was rejected. ``problems`` lists every problem found (not just the first)."""

    def __init__(self, problems: Sequence[Problem] | str, *, summary: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(None, None, problems)]
        self.problems: list[Problem] = list(problems)
        self.summary = summary
        lines = [summary] if summary else []
        lines += [p.message for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"… (+{len(self.problems) - 50})")
        super().__init__("\n".join(lines))
