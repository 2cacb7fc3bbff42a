"""Column types shared by SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class AwareDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant. PostgreSQL: ``timestamptz``. SQLite: ISO 8601 text in UTC
    (``2021-08-31T21:30:00+00:00``), which sorts and compares correctly as text.
    Naive datetimes are refused: a time without a zone is a bug at the caller."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(25))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: a time must carry its zone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc_text(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        out: datetime = value.astimezone(UTC)
        return out


def utc_text(value: datetime) -> str:
    """The SQLite text form of an aware instant: ``YYYY-MM-DDTHH:MM:SS+00:00`` in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
