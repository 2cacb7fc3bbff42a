"""Built-in accounts: bcrypt password hashes in the ``users`` table.

OIDC through Streamlit's ``st.login`` is used instead when ``.streamlit/secrets.toml`` has an
``[auth]`` section (see the README); the signed-in e-mail must then exist here as a user name
so that it has a role.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import bcrypt
from sqlalchemy import Engine, insert, select, update

from mapapp.access import Perm, Principal, Role
from mapapp.errors import DataValidationError, NotFoundError, Problem
from mapapp.store import audit
from mapapp.store.models import User

MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def _check_new(username: str, password: str | None, role: str) -> None:
    problems = []
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        problems.append(Problem(None, "username", "Användarnamnet får inte vara tomt eller "
                                "innehålla mellanslag. / The user name must not be empty or "
                                "contain spaces."))
    if role not in {r.value for r in Role}:
        problems.append(Problem(None, "role", f"Okänd roll {role!r}; välj en av "
                                f"{', '.join(r.value for r in Role)}. / Unknown role."))
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(Problem(None, "password", f"Lösenordet måste ha minst {MIN_PASSWORD} "
                                f"tecken. / The password needs at least {MIN_PASSWORD} characters."))
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
            raise DataValidationError([Problem(None, "username", f"Användaren {username} finns "
                                               f"redan. / The user {username} exists already.")])
        conn.execute(insert(User).values(
            username=username, password_hash=hash_password(password), role=role, team=team,
            active=True, created_at=datetime.now(UTC)))
        audit.record(conn, who, "create", "user", username, role=role, team=team)
    return password


def set_role(engine: Engine, who: Principal, username: str, role: str) -> None:
    who.require(Perm.ADMIN)
    _check_new(username, None, role)
    with engine.begin() as conn:
        res = conn.execute(update(User).where(User.username == username).values(role=role))
        if res.rowcount == 0:
            raise NotFoundError(f"Ingen användare {username}. / No user {username}.")
        audit.record(conn, who, "role_change", "user", username, role=role)


def authenticate(engine: Engine, username: str, password: str) -> Principal | None:
    """The principal for a correct user name and password, else None. Audited either way."""
    with engine.connect() as conn:
        row = conn.execute(select(User).where(User.username == username)).first()
    user = row[0] if row else None
    ok = bool(user and user.active and user.password_hash and bcrypt.checkpw(
        password.encode("utf-8"), user.password_hash.encode("ascii")))
    principal = Principal(username, Role(user.role), user.team) if ok and user else None
    with engine.begin() as conn:
        audit.record(conn, principal or Principal(username or "?", Role.LASARE),
                     "login" if ok else "login_failed", "user", username)
    return principal


def principal_for(engine: Engine, username: str) -> Principal | None:
    """The principal of an existing active user (for OIDC log-ins)."""
    with engine.connect() as conn:
        row = conn.execute(select(User).where(User.username == username)).first()
    if not row or not row[0].active:
        return None
    return Principal(row[0].username, Role(row[0].role), row[0].team)


def user_count(engine: Engine) -> int:
    from sqlalchemy import func

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(User)).scalar_one())
