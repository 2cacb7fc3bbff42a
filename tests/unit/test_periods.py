"""Periods in Europe/Stockholm time: statistical years, calendar years, rolling 12 months and
time bands, checked against an independent per-row computation with zoneinfo."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from mapapp.analysis.periods import (
    BANDS,
    bucket,
    list_periods,
    parse_period,
    period_containing,
    previous_period,
    rolling12,
    statistical_year,
    time_band,
    utc_ns,
)
from mapapp.errors import DataValidationError

STO = ZoneInfo("Europe/Stockholm")


def expected_stat_label(instant: datetime, start_month: int) -> str:
    local = instant.astimezone(STO)
    y = local.year if local.month >= start_month else local.year - 1
    return f"{y}" if start_month == 1 else f"{y}-{y + 1}"


def labels(times: pd.Series, **kw: object) -> list[str | None]:
    periods = list_periods(times, **kw)  # type: ignore[arg-type]
    idx = bucket(utc_ns(times), periods)
    return [periods[i].label if i >= 0 else None for i in idx]


def test_issue_examples_whatever_offset_the_time_was_written_in() -> None:
    written = [
        "2021-08-31T23:30:00+02:00",  # local, summer time
        "2021-08-31T21:30:00+00:00",  # the same instant in UTC
        "2021-09-01T00:10:00+02:00",
        "2021-08-31T22:10:00+00:00",  # the same instant in UTC
    ]
    times = pd.Series([pd.Timestamp(w).tz_convert("UTC") for w in written])
    assert labels(times) == ["2020-2021", "2020-2021", "2021-2022", "2021-2022"]


@pytest.mark.parametrize("start_month", [1, 3, 4, 9, 10, 11])
def test_statistical_year_equals_zoneinfo_near_every_boundary(start_month: int) -> None:
    # Instants every 7 minutes from 3 h before to 3 h after local midnight of the boundary, in
    # winter time (start months 1, 3, 11) and summer time (4, 9, 10), over three years.
    instants = []
    for year in (2020, 2021, 2022):
        midnight = datetime(year, start_month, 1, tzinfo=STO)
        for minutes in range(-180, 181, 7):
            instants.append((midnight + timedelta(minutes=minutes)).astimezone(UTC))
    times = pd.Series(pd.to_datetime(instants, utc=True))
    got = labels(times, kind="statistical", stat_year_start_month=start_month)
    assert got == [expected_stat_label(i, start_month) for i in instants]


def test_dst_switch_nights_in_march_and_october() -> None:
    # The nights the clock changes (2022-03-27, 2022-10-30): every 10 minutes in UTC.
    instants = []
    for day in (datetime(2022, 3, 26, 20, tzinfo=UTC), datetime(2022, 10, 29, 20, tzinfo=UTC)):
        instants += [day + timedelta(minutes=10 * i) for i in range(60)]
    times = pd.Series(pd.to_datetime(instants, utc=True))
    for month in (3, 10, 11):
        got = labels(times, kind="statistical", stat_year_start_month=month)
        assert got == [expected_stat_label(i, month) for i in instants]
    bands = time_band(times)
    assert [BANDS[b] if b >= 0 else None for b in bands] == [expected_band(i) for i in instants]


def test_calendar_year_is_local_new_year() -> None:
    times = pd.Series(pd.to_datetime(["2021-12-31T22:30:00Z", "2021-12-31T23:30:00Z"], utc=True))
    assert labels(times, kind="calendar") == ["2021", "2022"]  # 23:30 and 00:30 local


def test_microsecond_and_nanosecond_times_give_the_same_periods() -> None:
    base = pd.to_datetime(["2021-08-31T21:59:59.999999Z", "2021-08-31T22:00:00.000000Z"],
                          utc=True)
    ns = pd.Series(base.as_unit("ns"))
    us = pd.Series(base.as_unit("us"))
    assert labels(ns) == labels(us) == ["2020-2021", "2021-2022"]


def test_naive_times_are_refused_with_a_message() -> None:
    with pytest.raises(DataValidationError, match="tidszon"):
        utc_ns(pd.Series(pd.to_datetime(["2021-01-01 10:00"])))


def test_rolling_periods_end_on_the_reference_date_and_step_back_a_year() -> None:
    times = pd.Series(pd.to_datetime(
        ["2021-03-01T12:00:00Z", "2022-09-01T00:00:00+02:00", "2023-08-31T23:59:00+02:00"],
        utc=True))
    periods = list_periods(times, kind="rolling12")
    assert [p.label for p in periods] == [
        "2020-09-01–2021-08-31", "2021-09-01–2022-08-31", "2022-09-01–2023-08-31"]
    assert labels(times, kind="rolling12") == [
        "2020-09-01–2021-08-31", "2022-09-01–2023-08-31", "2022-09-01–2023-08-31"]
    # An explicit reference: points after it fall in no period.
    got = labels(times, kind="rolling12", reference=pd.Timestamp("2022-12-31"))
    assert got == ["2021-01-01–2021-12-31", "2022-01-01–2022-12-31", None]


def test_leap_day_reference() -> None:
    p = rolling12("2024-02-29")
    assert p.label == "2023-03-01–2024-02-29"
    assert previous_period(p).label == "2022-03-01–2023-02-28"


def test_labels_parse_back_and_previous_period() -> None:
    for label in ("2020-2021", "2021", "2022-09-01–2023-08-31"):
        assert parse_period(label).label == label
    assert parse_period("2021-2022").start == pd.Timestamp("2021-09-01", tz="Europe/Stockholm")
    assert previous_period("2021-2022").label == "2020-2021"
    assert previous_period("2021").label == "2020"
    assert previous_period("2021-2022", stat_year_start_month=3).start.month == 3
    assert statistical_year(2021, stat_year_start_month=1).label == "2021"


@pytest.mark.parametrize("bad", ["2021-2023", "21-22", "2022-09-01–2023-09-30", "förra året"])
def test_bad_labels_name_the_accepted_forms(bad: str) -> None:
    with pytest.raises(DataValidationError, match="2021-2022"):
        parse_period(bad)


def test_period_containing_matches_the_bucketing() -> None:
    t = pd.Timestamp("2021-08-31T22:10:00Z")
    assert period_containing(t).label == "2021-2022"
    assert period_containing(t, kind="calendar").label == "2021"
    assert period_containing(t, kind="rolling12", reference=pd.Timestamp("2023-08-31")).label \
        == "2021-09-01–2022-08-31"


def expected_band(instant: datetime) -> str | None:
    local = instant.astimezone(STO)
    if local.weekday() >= 5:
        return "helg"
    if 8 <= local.hour < 16:
        return "skoltid"
    if local.hour >= 18:
        return "kvall"
    if local.hour < 6:
        return "natt"
    return None


def test_time_bands_equal_zoneinfo_on_random_times() -> None:
    rng = np.random.default_rng(7)
    secs = rng.integers(int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()),
                        int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()), 2000)
    instants = [datetime.fromtimestamp(int(s), tz=UTC) for s in secs]
    bands = time_band(pd.Series(pd.to_datetime(instants, utc=True)))
    assert [BANDS[b] if b >= 0 else None for b in bands] == [expected_band(i) for i in instants]


def test_empty_input_has_no_periods() -> None:
    empty = pd.Series(pd.to_datetime([], utc=True))
    assert list_periods(empty) == []
    assert bucket(utc_ns(empty), []).tolist() == []
    assert date(2021, 9, 1) == statistical_year(2021).start.date()
