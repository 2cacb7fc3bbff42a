"""The monthly actor survey ("En gång i månaden enkät Aktuell lägesbild").

The coordinator creates a survey for a month (:func:`create_survey`), adds the recipients
from a CSV with the columns ``organisation``, ``role``, ``email`` (:func:`add_recipients`;
nothing beyond that about anyone) and sends each one its personal link (:func:`links`). The
link opens only that recipient's form, without an account:

- the token in the link carries 192 bits: HMAC-SHA256 under the server's secret key
  (``MAPAPP_SECRET_KEY``, else a random key kept in ``var/secret.key``, never in the database)
  of the recipient and a random 128-bit nonce. The database keeps the nonce and the token's
  SHA-256 only, so a copy of the database does not give anyone a working link, while the
  coordinator can print the same links again;
- a token is valid until the survey closes (its ``closes`` date, inclusive, local time, or
  ``mapapp survey close``); an unknown, tampered or expired token resolves to nothing
  (:func:`resolve_token` returns None) and the page shows a refusal with no data;
- each recipient has one answer: a second visit edits it (until the close); two submissions at
  once still leave one answer.

Answers: per zone and problem (:data:`PROBLEMS`) a level 0 "Inget", 1 "Lite", 2 "Mycket" (a
question left blank is not answered), and a short free text checked for personal data (an
identity number, a phone number or an e-mail address refuses it, as does a text over 500
characters).
:func:`results` gives per zone and problem how many recipients *reported* it (level ≥ 1) and
how many *answered* for that zone; free text only to the council's roles
(:func:`free_texts`, ``EDIT_MEASURES``). Every write is audited (entity ``survey``,
``survey_recipient``, ``survey_response``).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pandas as pd
from sqlalchemy import Connection, Engine, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from mapapp.access import Perm, Principal
from mapapp.errors import DataValidationError, NotFoundError, Problem, StoreError
from mapapp.notecheck import NOTE_MAX_CHARS, check_note
from mapapp.settings import DEFAULT_DB_PATH, Settings, load_settings
from mapapp.store import audit
from mapapp.store.models import (
    Survey,
    SurveyAnswer,
    SurveyRecipient,
    SurveyResponse,
    Zone,
)
from mapapp.timezone import local_today

PROBLEMS: tuple[str, ...] = ("samlingar", "narkotikahandel", "skadegorelse",
                             "ordningsstorning", "olovliga_bosattningar", "otrygghet")
LEVELS: tuple[int, ...] = (0, 1, 2)  # Inget, Lite, Mycket
CSV_COLUMNS = ("organisation", "role", "email")
RESULT_FIELDS = ("zone", "problem", "reported", "answered")
TOKEN_BYTES = 24  # 192 bits
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_RECIPIENTS = 2000


@dataclass(frozen=True)
class _Outsider:
    """Who a recipient is in the audit log: no account, no name; the recipient's id only."""

    username: str
    role: str = "mottagare"


@dataclass(frozen=True)
class Recipient:
    """What a valid token opens: one recipient of one open survey."""

    recipient_id: int
    survey_id: int
    title: str
    month: str
    closes: date
    organisation: str
    role: str


# --- the key and the tokens -------------------------------------------------------------------

def secret_key(settings: Settings) -> bytes:
    """The server's key: ``MAPAPP_SECRET_KEY``, else ``var/secret.key`` (made once, mode 600)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = DEFAULT_DB_PATH.parent / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        try:  # atomic: two processes starting at once end up with the same key
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip().encode()


def make_token(key: bytes, recipient_id: int, nonce: str) -> str:
    """The link's token: 32 URL-safe characters (192 bits)."""
    mac = hmac.new(key, f"survey-recipient:{recipient_id}:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:TOKEN_BYTES]).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/?enkat={token}"


# --- the coordinator's side -------------------------------------------------------------------

def _month_end(month: str) -> date:
    y, m = int(month[:4]), int(month[5:7])
    return (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1))


def create_survey(engine: Engine, who: Principal, *, title: str, month: str,
                  closes: date | str | None = None, today: date | None = None) -> int:
    """A new survey for ``month`` (``YYYY-MM``); returns its id. ``closes`` (inclusive) is by
    default the month's last day, but at least 14 days from today."""
    who.require(Perm.EDIT_MEASURES)
    today = today or local_today()
    problems: list[Problem] = []
    title = (title or "").strip()
    if not title or len(title) > 300:
        problems.append(Problem(None, "title", "survey.bad_title"))
    month = (month or "").strip()
    if not _MONTH_RE.match(month):
        problems.append(Problem(None, "month", "survey.bad_month", {"month": month}))
    closes_d: date | None = None
    if isinstance(closes, date):
        closes_d = closes
    elif closes:
        try:
            closes_d = date.fromisoformat(str(closes).strip())
        except ValueError:
            problems.append(Problem(None, "closes", "survey.bad_closes", {"value": closes}))
    if closes_d is not None and closes_d < today:
        problems.append(Problem(None, "closes", "survey.closes_past",
                                {"value": closes_d.isoformat()}))
    if problems:
        raise DataValidationError(problems, summary="survey.rejected")
    if closes_d is None:
        closes_d = max(_month_end(month), today + timedelta(days=14))
    with engine.begin() as conn:
        sid = int(conn.execute(insert(Survey).values(
            title=title, month=month, closes=closes_d, problems=list(PROBLEMS),
            created_by=who.username, created_at=datetime.now(UTC)).returning(Survey.id)
        ).scalar_one())
        audit.record(conn, who, "create", "survey", sid, month=month,
                     closes=closes_d.isoformat())
    return sid


def _survey_row(conn: Connection, survey_id: int) -> Any:
    row = conn.execute(select(Survey).where(Survey.id == int(survey_id))).first()
    if row is None:
        raise NotFoundError("survey.not_found", id=survey_id)
    return row


def read_recipients_csv(path: Path | str | io.StringIO) -> list[dict[str, str]]:
    """Rows of a recipients' CSV (UTF-8, comma or semicolon); column names as they are."""
    text = path.getvalue() if isinstance(path, io.StringIO) else Path(path).read_text(
        encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;")
    return [dict(r) for r in csv.DictReader(io.StringIO(text), dialect=dialect)]


def add_recipients(engine: Engine, who: Principal, survey_id: int,
                   rows: Iterable[Mapping[str, Any]], *, settings: Settings | None = None) -> int:
    """Add recipients (``organisation``, ``role``, ``email``; nothing else is kept). Every
    problem is collected first and nothing is written if there is one; an e-mail address the
    survey has already is skipped. Returns how many were added."""
    who.require(Perm.EDIT_MEASURES)
    rows = list(rows)
    problems: list[Problem] = []
    if rows:
        missing = [c for c in CSV_COLUMNS if c not in {str(k).strip().lower()
                                                        for k in rows[0]}]
        if missing:
            raise DataValidationError([Problem(None, c, "survey.csv_missing_column",
                                               {"column": c, "columns": ", ".join(CSV_COLUMNS)})
                                       for c in missing], summary="survey.rejected")
    clean: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, raw in enumerate(rows, start=2):  # row 1 is the header
        r = {str(k).strip().lower(): ("" if v is None else str(v).strip()) for k, v in raw.items()}
        for col in ("organisation", "role"):
            if not r[col]:
                problems.append(Problem(i, col, "survey.csv_empty", {"row": i, "column": col}))
            elif len(r[col]) > 200:
                problems.append(Problem(i, col, "survey.csv_too_long", {"row": i, "column": col}))
        email = r["email"].lower()
        if not _EMAIL_RE.match(email) or len(email) > 254:
            problems.append(Problem(i, "email", "survey.csv_bad_email", {"row": i,
                                                                         "value": r["email"]}))
        elif email in seen:
            problems.append(Problem(i, "email", "survey.csv_duplicate", {"row": i,
                                                                          "value": email}))
        seen.add(email)
        clean.append({"organisation": r["organisation"], "role": r["role"], "email": email})
    if len(clean) > MAX_RECIPIENTS:
        problems.append(Problem(None, None, "survey.csv_too_many", {"n": MAX_RECIPIENTS}))
    with engine.begin() as conn:
        _survey_row(conn, survey_id)
        if problems:
            raise DataValidationError(problems, summary="survey.rejected")
        have = set(conn.execute(select(SurveyRecipient.email).where(
            SurveyRecipient.survey_id == int(survey_id))).scalars())
        now = datetime.now(UTC)
        added = 0
        for r in clean:
            if r["email"] in have:
                continue
            rid = int(conn.execute(insert(SurveyRecipient).values(
                survey_id=int(survey_id), token_nonce=secrets.token_hex(16),
                token_hash="pending:" + secrets.token_hex(24), created_at=now, **r)
                .returning(SurveyRecipient.id)).scalar_one())
            added += 1
            audit.record(conn, who, "create", "survey_recipient", rid, survey_id=int(survey_id),
                         organisation=r["organisation"], role=r["role"])
        # the token needs the row's id: set its hash now, in the same transaction
        key = secret_key(settings or load_settings())
        for rid, nonce in conn.execute(
                select(SurveyRecipient.id, SurveyRecipient.token_nonce).where(
                    SurveyRecipient.survey_id == int(survey_id),
                    SurveyRecipient.token_hash.like("pending:%"))).all():
            conn.execute(update(SurveyRecipient).where(SurveyRecipient.id == rid).values(
                token_hash=token_hash(make_token(key, int(rid), str(nonce)))))
    return added


def links(engine: Engine, who: Principal, survey_id: int, *,
          settings: Settings | None = None) -> list[dict[str, str]]:
    """Each recipient's personal link (for the coordinator to send); audited as an export."""
    who.require(Perm.EDIT_MEASURES)
    settings = settings or load_settings()
    key = secret_key(settings)
    out = []
    with engine.begin() as conn:
        _survey_row(conn, survey_id)
        rows = conn.execute(select(SurveyRecipient).where(
            SurveyRecipient.survey_id == int(survey_id)).order_by(SurveyRecipient.id)).all()
        for r in rows:
            token = make_token(key, r.id, r.token_nonce)
            if not hmac.compare_digest(token_hash(token), r.token_hash):
                raise StoreError("survey.key_changed")
            out.append({"organisation": r.organisation, "role": r.role, "email": r.email,
                        "link": link(settings, token)})
        audit.record(conn, who, "export", "survey_links", int(survey_id), n=len(out))
    return out


def close_survey(engine: Engine, who: Principal, survey_id: int) -> None:
    """Close now: every link stops working; the answers stay."""
    who.require(Perm.EDIT_MEASURES)
    with engine.begin() as conn:
        _survey_row(conn, survey_id)
        conn.execute(update(Survey).where(Survey.id == int(survey_id)).values(
            closed_at=datetime.now(UTC)))
        audit.record(conn, who, "update", "survey", int(survey_id), closed=True)


def list_surveys(engine: Engine, who: Principal) -> pd.DataFrame:
    """Every survey with its number of recipients and answers, newest month first."""
    who.require(Perm.VIEW_AGGREGATES)
    rec = (select(SurveyRecipient.survey_id, func.count().label("recipients"))
           .group_by(SurveyRecipient.survey_id).subquery())
    ans = (select(SurveyRecipient.survey_id, func.count().label("answers"))
           .join(SurveyResponse, SurveyResponse.recipient_id == SurveyRecipient.id)
           .group_by(SurveyRecipient.survey_id).subquery())
    q = (select(Survey.id, Survey.title, Survey.month, Survey.closes, Survey.closed_at,
                func.coalesce(rec.c.recipients, 0).label("recipients"),
                func.coalesce(ans.c.answers, 0).label("answers"))
         .outerjoin(rec, rec.c.survey_id == Survey.id).outerjoin(ans, ans.c.survey_id == Survey.id)
         .order_by(Survey.month.desc(), Survey.id.desc()))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    return pd.DataFrame(rows, columns=["id", "title", "month", "closes", "closed_at",
                                       "recipients", "answers"])


# --- the recipient's side (no account) --------------------------------------------------------

def is_open(closes: date, closed_at: datetime | None, today: date | None = None) -> bool:
    return closed_at is None and (today or local_today()) <= closes


def resolve_token(engine: Engine, token: str | None, *, settings: Settings | None = None,
                  today: date | None = None) -> Recipient | None:
    """The recipient a token opens, or None for an unknown, tampered or expired token (the
    caller shows the same refusal for all three, with no data)."""
    if not token or not _TOKEN_RE.match(token):
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(SurveyRecipient.id, SurveyRecipient.survey_id, SurveyRecipient.organisation,
                   SurveyRecipient.role, Survey.title, Survey.month, Survey.closes,
                   Survey.closed_at)
            .join(Survey, Survey.id == SurveyRecipient.survey_id)
            .where(SurveyRecipient.token_hash == token_hash(token))).first()
    if row is None or not is_open(row.closes, row.closed_at, today):
        return None
    return Recipient(int(row.id), int(row.survey_id), row.title, row.month, row.closes,
                     row.organisation, row.role)


def zones(engine: Engine) -> list[tuple[int, str]]:
    """The zones the form asks about (id, name), in the district's order."""
    with engine.connect() as conn:
        return [(int(i), str(n)) for i, n in conn.execute(select(Zone.id, Zone.name)
                                                           .order_by(Zone.id))]


def load_answer(engine: Engine, rec: Recipient) -> tuple[dict[tuple[int, str], int], str]:
    """The recipient's own answer: {(zone_id, problem): level} and the free text."""
    with engine.connect() as conn:
        resp = conn.execute(select(SurveyResponse.id, SurveyResponse.free_text).where(
            SurveyResponse.recipient_id == rec.recipient_id)).first()
        if resp is None:
            return {}, ""
        items = conn.execute(select(SurveyAnswer.zone_id, SurveyAnswer.problem,
                                    SurveyAnswer.level)
                             .where(SurveyAnswer.response_id == resp.id)).all()
    return {(int(z), str(p)): int(v) for z, p, v in items}, str(resp.free_text or "")


def save_answer(engine: Engine, token: str, answers: Mapping[tuple[int, str], int | None],
                free_text: str = "", *, settings: Settings | None = None,
                today: date | None = None, known_places: Iterable[str] = (),
                places: Mapping[tuple[int, str], Any] | None = None) -> bool:
    """Store the recipient's answer (replacing an earlier one). Returns True when it was the
    first answer, False for an edit. ``places``: where a problem answered "Lite"/"Mycket" was
    seen, {(zone_id, problem): a site ``{"site_id": id}`` or a map position ``{"lon", "lat"}``},
    snapped and checked by :func:`mapapp.council.survey_places.resolve_places`. Raises
    :class:`DataValidationError` for a level or zone that does not exist, a place outside the
    zone or a free text holding a personal identity number, and
    :class:`~mapapp.errors.PermissionDeniedError` when the token no longer opens the form."""
    from mapapp.council.survey_places import resolve_places
    from mapapp.errors import PermissionDeniedError

    rec = resolve_token(engine, token, settings=settings, today=today)
    if rec is None:
        raise PermissionDeniedError("survey.refused")
    valid_zones = {z for z, _ in zones(engine)}
    problems: list[Problem] = []
    items: list[dict[str, Any]] = []
    for (zone_id, problem), level in answers.items():
        if level is None:
            continue
        if int(zone_id) not in valid_zones or problem not in PROBLEMS or level not in LEVELS:
            problems.append(Problem(None, "answers", "survey.bad_answer",
                                    {"zone": zone_id, "problem": problem, "level": level}))
            continue
        items.append({"zone_id": int(zone_id), "problem": problem, "level": int(level)})
    where, place_problems = resolve_places(
        engine, places, {(int(i["zone_id"]), str(i["problem"])): int(i["level"]) for i in items})
    problems += place_problems
    for i in items:
        pl = where.get((int(i["zone_id"]), str(i["problem"])))
        i.update(lon=pl.lon if pl else None, lat=pl.lat if pl else None,
                 site_id=pl.site_id if pl else None)
    text = (free_text or "").strip()
    refused = {"personnummer", "personnummer_like", "email", "phone", "too_long"}
    for f in check_note(text, known_places=known_places):
        if f.kind in refused:
            problems.append(Problem(None, "free_text", "survey.free_text_blocked",
                                    {"max": NOTE_MAX_CHARS, "kind": f.kind}))
            break
    if problems:
        raise DataValidationError(problems, summary="survey.not_saved")
    who = cast(Principal, _Outsider(f"mottagare:{rec.recipient_id}"))
    now = datetime.now(UTC)
    for attempt in range(4):
        try:
            with engine.begin() as conn:
                resp = conn.execute(select(SurveyResponse.id).where(
                    SurveyResponse.recipient_id == rec.recipient_id)).scalar()
                first = resp is None
                if first:
                    resp = conn.execute(insert(SurveyResponse).values(
                        recipient_id=rec.recipient_id, free_text=text, submitted_at=now,
                        updated_at=now, edits=0).returning(SurveyResponse.id)).scalar_one()
                else:
                    conn.execute(update(SurveyResponse).where(SurveyResponse.id == resp).values(
                        free_text=text, updated_at=now, edits=SurveyResponse.edits + 1))
                    conn.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == resp))
                if items:
                    conn.execute(insert(SurveyAnswer), [{"response_id": resp, **i}
                                                        for i in items])
                audit.record(conn, who, "create" if first else "update", "survey_response",
                             resp, survey_id=rec.survey_id, answers=len(items),
                             places=len(where))
            return first
        except IntegrityError:
            # a second submission of the same recipient won the insert: edit that one
            if attempt == 3:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# --- results ----------------------------------------------------------------------------------

def results(engine: Engine, who: Principal, survey_id: int) -> list[dict[str, Any]]:
    """Per zone and problem: ``reported`` = recipients answering "Lite" or "Mycket",
    ``answered`` = recipients who answered anything for that zone. Only zones with answers."""
    who.require(Perm.VIEW_AGGREGATES)
    a, r = SurveyAnswer.__table__, SurveyResponse.__table__
    rc = SurveyRecipient.__table__
    with engine.connect() as conn:
        _survey_row(conn, survey_id)
        base = (a.join(r, r.c.id == a.c.response_id).join(rc, rc.c.id == r.c.recipient_id)
                .join(Zone.__table__, Zone.__table__.c.id == a.c.zone_id))
        zn = Zone.__table__.c.name
        answered: dict[str, int] = dict(conn.execute(  # type: ignore[arg-type]
            select(zn, func.count(func.distinct(a.c.response_id))).select_from(base)
            .where(rc.c.survey_id == int(survey_id)).group_by(zn)).all())
        rows = conn.execute(
            select(Zone.__table__.c.id, zn, a.c.problem,
                   func.sum(case((a.c.level >= 1, 1), else_=0)))
            .select_from(base).where(rc.c.survey_id == int(survey_id))
            .group_by(Zone.__table__.c.id, zn, a.c.problem)).all()
    order = {p: i for i, p in enumerate(PROBLEMS)}
    out = [{"zone": str(z), "problem": str(p), "reported": int(n or 0),
            "answered": int(answered.get(z, 0))}
           for _, z, p, n in sorted(rows, key=lambda x: (x[0], order.get(x[2], 99)))]
    return out


def trend(engine: Engine, who: Principal) -> list[dict[str, Any]]:
    """Results over months: for each month the latest survey of that month,
    ``{month, zone, problem, reported, answered}``, oldest month first."""
    s = list_surveys(engine, who)
    if s.empty:
        return []
    latest = s.sort_values(["month", "id"]).groupby("month").tail(1)
    out: list[dict[str, Any]] = []
    for month, sid in zip(latest["month"], latest["id"], strict=True):
        out += [{"month": str(month), **r} for r in results(engine, who, int(sid))]
    return out


def free_texts(engine: Engine, who: Principal, survey_id: int) -> list[dict[str, str]]:
    """The free texts with the organisation and role that wrote them (council roles only)."""
    who.require(Perm.EDIT_MEASURES)
    with engine.connect() as conn:
        _survey_row(conn, survey_id)
        rows = conn.execute(
            select(SurveyRecipient.organisation, SurveyRecipient.role, SurveyResponse.free_text)
            .join(SurveyResponse, SurveyResponse.recipient_id == SurveyRecipient.id)
            .where(SurveyRecipient.survey_id == int(survey_id), SurveyResponse.free_text != "")
            .order_by(SurveyResponse.id)).all()
    return [{"organisation": o, "role": r, "text": t} for o, r, t in rows]


__all__ = ["PROBLEMS", "LEVELS", "Recipient", "create_survey", "add_recipients",
           "links", "close_survey", "list_surveys", "resolve_token", "load_answer",
           "save_answer", "results", "trend", "free_texts", "zones"]
