"""Built-in accounts: bcrypt password hashes in the ``users`` table.

OIDC through Streamlit's ``st.login`` is used instead when ``.streamlit/secrets.toml`` has an
``[auth]`` section (see the README); the signed-in e-mail must then exist here as a user name
so that it has a role.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import bcrypt
import pandas as pd
from sqlalchemy import Connection, Engine, Row, func, insert, select, update

from mapapp.access import GroupRole, Perm, Principal, Role
from mapapp.errors import DataValidationError, NotFoundError, Problem
from mapapp.store import audit
from mapapp.store.engine import read_connection
from mapapp.store.models import AuditEvent, User

MIN_PASSWORD = 10
USERNAME_MAX = 100  # the users.username column
# bcrypt reads at most 72 bytes (bcrypt 5 raises on more): longer passwords are refused when
# set, and never match at log-in (none can have been stored).
MAX_PASSWORD_BYTES = 72
MAX_FAILED = 10  # failed log-ins of one user name …
LOCKOUT_WINDOW = timedelta(minutes=15)  # … within this long block further attempts


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


# Checked when the user name is unknown, so that a failed log-in takes as long either way and
# its timing does not tell which user names exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def _password_matches(password: str, password_hash: str | None) -> bool:
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        return False
    return bcrypt.checkpw(raw, (password_hash or _DUMMY_HASH).encode("ascii")) and bool(
        password_hash)


def _check_new(username: str, password: str | None, role: str) -> None:
    problems = []
    if (not username or len(username) > USERNAME_MAX or any(c.isspace() for c in username)
            or not username.isprintable()):
        problems.append(Problem(None, "username", "auth.err.username"))
    if role not in {r.value for r in Role}:
        problems.append(Problem(None, "role", "auth.err.role",
                                {"role": repr(role), "known": ", ".join(r.value for r in Role)}))
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(Problem(None, "password", "auth.err.password_short", {"n": MIN_PASSWORD}))
    if password is not None and len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        problems.append(Problem(None, "password", "auth.err.password_long",
                                {"n": MAX_PASSWORD_BYTES}))
    if problems:
        raise DataValidationError(problems)


def add_user(
    engine: Engine, who: Principal, username: str, role: str, *, password: str | None = None,
    team: str | None = None,
) -> str:
    """Create a user; returns the password (generated when none was given). The first user
    can be made by the CLI operator; after that only admins may add users."""
    who.require(Perm.ADMIN)
    password = password or secrets.token_urlsafe(12)
    _check_new(username, password, role)
    with engine.begin() as conn:
        if conn.execute(select(User.id).where(User.username == username)).first():
            raise DataValidationError([Problem(None, "username", "auth.err.user_exists",
                                               {"username": username})])
        conn.execute(insert(User).values(
            username=username, password_hash=hash_password(password), role=role, team=team,
            active=True, created_at=datetime.now(UTC)))
        audit.record(conn, who, "create", "user", username, role=role, team=team)
    return password


def set_role(engine: Engine, who: Principal, username: str, role: str) -> None:
    """Give ``username`` another role (admins only; audited with the old and new role). The
    last active admin keeps the admin role, so that someone can still manage users."""
    who.require(Perm.ADMIN)
    _check_new(username, None, role)
    with engine.begin() as conn:
        user = _user_for_update(conn, username)
        if user.role == Role.ADMIN and role != Role.ADMIN and user.active:
            _keep_one_admin(conn, username)
        conn.execute(update(User).where(User.username == username).values(role=role))
        audit.record(conn, who, "role_change", "user", username, role=role,
                     previous_role=user.role)


def set_active(engine: Engine, who: Principal, username: str, active: bool) -> None:
    """Deactivate (``active=False``) or reactivate a user (admins only; audited). A
    deactivated user cannot log in, by password or OIDC, and a running session of that user
    ends at its next step. Admins cannot deactivate themselves or the last active admin."""
    who.require(Perm.ADMIN)
    with engine.begin() as conn:
        user = _user_for_update(conn, username)
        if not active:
            if username == who.username:
                raise DataValidationError([Problem(None, "username", "auth.err.self_deactivate")])
            if user.role == Role.ADMIN and user.active:
                _keep_one_admin(conn, username)
        conn.execute(update(User).where(User.username == username).values(active=active))
        audit.record(conn, who, "activate" if active else "deactivate", "user", username)


def _find_user(conn: Connection, username: str) -> Row[Any] | None:
    """The user's row (attributes as the columns), or None. A name no user can have (NUL, or
    longer than the column) is not looked up: PostgreSQL would refuse the query."""
    if not username or "\x00" in username or len(username) > USERNAME_MAX:
        return None
    return conn.execute(select(User.__table__).where(User.username == username)).first()


def _user_for_update(conn: Connection, username: str) -> Row[Any]:
    row = _find_user(conn, username)
    if row is None:
        raise NotFoundError("auth.err.no_user", username=username)
    return row


def _keep_one_admin(conn: Connection, username: str) -> None:
    others = conn.execute(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN.value, User.active.is_(True),
        User.username != username)).scalar_one()
    if not others:
        raise DataValidationError([Problem(None, "role", "auth.err.last_admin",
                                           {"username": username})])


def list_users(engine: Engine, who: Principal) -> pd.DataFrame:
    """All users (no password hashes), by name: username, role, team, active, created_at.
    Admins only."""
    who.require(Perm.ADMIN)
    u = User.__table__
    with read_connection(engine) as conn:
        rows = conn.execute(select(u.c.username, u.c.role, u.c.team, u.c.active, u.c.created_at)
                            .order_by(u.c.username)).mappings().all()
    return pd.DataFrame(rows, columns=["username", "role", "team", "active", "created_at"])


def recent_failures(engine: Engine, username: str, *, now: datetime | None = None) -> int:
    """Failed log-ins of ``username`` in the last :data:`LOCKOUT_WINDOW` (from the audit log)."""
    a = AuditEvent.__table__
    since = (now or datetime.now(UTC)) - LOCKOUT_WINDOW
    with read_connection(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(a).where(
            a.c.action == "login_failed", a.c.entity == "user",
            a.c.entity_id == audit.fit(username, "entity_id"), a.c.at >= since)).scalar_one())


def authenticate(engine: Engine, username: str, password: str) -> Principal | None:
    """The principal for a correct user name and password, else None. Audited either way.

    After :data:`MAX_FAILED` failed log-ins of one user name within :data:`LOCKOUT_WINDOW`,
    further attempts are refused without looking at the password (``login_blocked``) until
    the window has passed: an online password guesser gets a few tries per quarter hour."""
    if recent_failures(engine, username) >= MAX_FAILED:
        with engine.begin() as conn:
            audit.record(conn, Principal(username or "?", Role.LASARE), "login_blocked", "user",
                         username)
        return None
    with read_connection(engine) as conn:
        user = _find_user(conn, username)
    matches = _password_matches(password, user.password_hash if user else None)
    principal = (Principal(user.username, Role(user.role), user.team)
                 if user is not None and user.active and matches else None)
    with engine.begin() as conn:
        audit.record(conn, principal or Principal(username or "?", Role.LASARE),
                     "login" if principal else "login_failed", "user", username)
    return principal


def reset_password(engine: Engine, who: Principal, username: str, *,
                   password: str | None = None) -> str:
    """Give ``username`` a new password (generated when none is given; returned). Admins
    only; audited (``password_reset``, never the password)."""
    who.require(Perm.ADMIN)
    password = password or secrets.token_urlsafe(12)
    _check_new(username, password, Role.LASARE.value)
    with engine.begin() as conn:
        _user_for_update(conn, username)
        conn.execute(update(User).where(User.username == username).values(
            password_hash=hash_password(password)))
        audit.record(conn, who, "password_reset", "user", username)
    return password


def login_external(engine: Engine, username: str, *, method: str = "oidc") -> Principal | None:
    """Log-in by an identity provider (``st.login``): the principal of the active user whose
    user name is ``username`` (the e-mail; tried as given, then in lower case), else None.
    Audited either way (``login``/``login_failed`` with the method)."""
    principal = principal_for(engine, username) or principal_for(engine, username.lower())
    with engine.begin() as conn:
        audit.record(conn, principal or Principal(username or "?", Role.LASARE),
                     "login" if principal else "login_failed", "user", username, method=method)
    return principal


def login_mapped(engine: Engine, username: str, granted: GroupRole | None, *,
                 method: str = "oidc") -> Principal | None:
    """Log-in by an identity provider whose groups give the role (``MAPAPP_OIDC_ROLES``):
    the user row is made (without a password) or given the role of the groups at every
    log-in, so the identity provider's groups decide. ``granted`` None (no mapped group) or a
    user an administrator deactivated gets None. Audited either way (``login`` with the
    method and role; ``login_failed`` with the reason ``no_role`` or ``inactive``)."""
    name = username.strip()
    with engine.begin() as conn:
        user = _find_user(conn, name) or _find_user(conn, name.lower())
        reason = None
        if granted is None:
            reason = "no_role"
        elif user is not None and not user.active:
            reason = "inactive"
        if reason is not None or granted is None:
            audit.record(conn, Principal(name or "?", Role.LASARE), "login_failed", "user",
                         name, method=method, reason=reason)
            return None
        if user is None:
            _check_new(name, None, granted.role.value)
            conn.execute(insert(User).values(
                username=name, password_hash=None, role=granted.role.value, team=granted.team,
                active=True, created_at=datetime.now(UTC)))
            who = Principal(name, granted.role, granted.team)
            audit.record(conn, who, "create", "user", name, role=granted.role.value,
                         team=granted.team, method=method)
        else:
            name = user.username
            who = Principal(name, granted.role, granted.team)
            if (user.role, user.team) != (granted.role.value, granted.team):
                conn.execute(update(User).where(User.username == name).values(
                    role=granted.role.value, team=granted.team))
                audit.record(conn, who, "change", "user", name, role=granted.role.value,
                             old_role=user.role, method=method)
        audit.record(conn, who, "login", "user", name, method=method, role=granted.role.value)
    return who


def principal_for(engine: Engine, username: str) -> Principal | None:
    """The principal of an existing active user (for OIDC log-ins and to re-check a running
    session: a deactivated user gets None, a changed role the new role)."""
    with read_connection(engine) as conn:
        user = _find_user(conn, username)
    if user is None or not user.active:
        return None
    return Principal(user.username, Role(user.role), user.team)


def user_count(engine: Engine) -> int:
    with read_connection(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(User)).scalar_one())
