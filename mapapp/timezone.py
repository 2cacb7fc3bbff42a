"""The one local time zone of mapapp: Stockholm. Days, periods, due dates and "today" are
local; stored instants are UTC.

>>> LOCAL_TZ, LOCAL_ZONE.key
('Europe/Stockholm', 'Europe/Stockholm')
>>> local_midnight(date(2024, 7, 1)).isoformat()
'2024-07-01T00:00:00+02:00'
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

#: The IANA name (what pandas' ``tz_convert`` and PostgreSQL's ``AT TIME ZONE`` take).
LOCAL_TZ = "Europe/Stockholm"
#: The same zone as a :class:`zoneinfo.ZoneInfo` (what :mod:`datetime` takes).
LOCAL_ZONE = ZoneInfo(LOCAL_TZ)


def local_today() -> date:
    """Today's date in Stockholm."""
    return datetime.now(LOCAL_ZONE).date()


def local_now() -> datetime:
    """Now, as an aware datetime in Stockholm."""
    return datetime.now(LOCAL_ZONE)


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in Stockholm, as an aware datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL_ZONE)
