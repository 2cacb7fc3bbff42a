"""Logging, configured in one place: the CLI (:func:`mapapp.cli.main`) and the app
(:func:`mapapp.ui.app.main`) call :func:`configure`; every module logs through
``logging.getLogger(__name__)``.

| variable | default | meaning |
|---|---|---|
| MAPAPP_LOG_LEVEL | ``WARNING`` | DEBUG, INFO, WARNING, ERROR or CRITICAL; to stderr |
| MAPAPP_LOG_FORMAT | ``text`` | ``text`` (one line a record) or ``json`` (one JSON object a line) |

**No personal data in a log.** User names and ids may be logged; note texts, photos, passwords
and personnummer never. Log what happened to which row (``observation 12``, ``user kim``), not
what the row says. An exception that is caught and survived is logged with its traceback
(``log.exception(...)`` / ``log.warning(..., exc_info=True)``); as a last guard,
:class:`Redact` masks personnummer-shaped numbers in every record that passes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("text", "json")
_HANDLER_NAME = "mapapp"
#: Swedish personal identity numbers (YYMMDD-NNNN, YYYYMMDDNNNN, with - or +).
PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?\d{6}[-+]?\d{4}(?!\d)")


class Redact(logging.Filter):
    """Masks personnummer-shaped numbers in the formatted message and the traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if PERSONNUMMER.search(msg):
            record.msg, record.args = PERSONNUMMER.sub("[personnummer]", msg), None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the traceback
    in ``exc`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = PERSONNUMMER.sub("[personnummer]", self.formatException(record.exc_info))
        elif record.exc_text:
            out["exc"] = record.exc_text
        return json.dumps(out, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return PERSONNUMMER.sub("[personnummer]", super().formatException(ei))


def level_from(value: str | None) -> str:
    """The level name for ``MAPAPP_LOG_LEVEL`` (case-insensitive); ValueError when unknown."""
    name = (value or "WARNING").strip().upper()
    if name not in LEVELS:
        raise ValueError(name)
    return name


def configure(level: str | None = None, fmt: str | None = None, *, stream: Any = None) -> None:
    """Send mapapp's records to stderr at ``level`` (default ``MAPAPP_LOG_LEVEL`` or WARNING) in
    ``fmt`` (default ``MAPAPP_LOG_FORMAT`` or text). Idempotent: a second call replaces the
    handler (Streamlit reruns the app script; tests call it again)."""
    try:
        name = level_from(level if level is not None else os.environ.get("MAPAPP_LOG_LEVEL"))
    except ValueError:
        name = "WARNING"
    fmt = (fmt or os.environ.get("MAPAPP_LOG_FORMAT") or "text").strip().lower()
    root = logging.getLogger("mapapp")
    for h in list(root.handlers):
        if h.get_name() == _HANDLER_NAME:
            root.removeHandler(h)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(Redact())
    root.addHandler(handler)
    root.setLevel(name)
    root.propagate = False


def survived(log: logging.Logger, exc: BaseException, what: str, *args: object,
             level: int = logging.WARNING) -> None:
    """Log an exception that was caught and survived: ``what`` (with ``args``), the exception's
    type, its message key for a :class:`~mapapp.errors.MapAppError`, and the traceback's frames.

    The exception's *message* is left out on purpose: it may quote what a user typed (a note, a
    cell of an imported file, an SQL parameter), and no personal data goes into a log."""
    if not log.isEnabledFor(level):
        return
    key = getattr(exc, "key", None)
    if key:  # only a catalogue key; older code passes a rendered text as the "key"
        from mapapp.i18n import has

        key = key if isinstance(key, str) and (has(key) or has(f"{key}.other")) else None
    kind = type(exc).__qualname__ + (f" [{key}]" if key else "")
    frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        frames += (f"\n  caused by {type(cause).__qualname__}:\n"
                   + "".join(traceback.format_tb(cause.__traceback__)).rstrip())
    log.log(level, what + " (%s)\nTraceback (most recent call last):\n%s", *args, kind, frames)
