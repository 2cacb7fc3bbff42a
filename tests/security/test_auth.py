"""Log-in with built-in accounts: hashing, failed log-ins, deactivated users, odd input -- on
SQLite and on PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mapapp.access import Principal, Role
from mapapp.auth import (
    add_user,
    authenticate,
    list_users,
    principal_for,
    set_active,
    set_role,
)
from mapapp.errors import DataValidationError, PermissionDeniedError
from mapapp.store.audit import events
from mapapp.store.models import User
from tests.conftest import ADMIN, COORDINATOR, READER

PASSWORD = "Gröna-lyktan-7"


def _hash_of(engine, username: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(User.password_hash).where(User.username == username)
                            ).scalar_one()


def _last(engine, action: str):
    rows = events(engine, ADMIN, actions=[action])
    return rows.iloc[0] if len(rows) else None


def test_password_is_stored_as_a_salted_bcrypt_hash(store):
    add_user(store, ADMIN, "anna", "polis", password=PASSWORD)
    add_user(store, ADMIN, "bertil", "polis", password=PASSWORD)
    a, b = _hash_of(store, "anna"), _hash_of(store, "bertil")
    assert PASSWORD not in a and PASSWORD.encode().hex() not in a
    assert a.startswith("$2b$") and b.startswith("$2b$")
    assert a != b  # a salt per user: equal passwords do not give equal hashes
    who = authenticate(store, "anna", PASSWORD)
    assert who == Principal("anna", Role.POLIS, None)


def test_failed_log_in_is_refused_and_audited(store):
    add_user(store, ADMIN, "anna", "polis", password=PASSWORD)
    assert authenticate(store, "anna", PASSWORD.upper()) is None
    assert authenticate(store, "anna", "") is None
    assert authenticate(store, "nobody", PASSWORD) is None
    failed = events(store, ADMIN, actions=["login_failed"])
    assert sorted(failed["username"]) == ["anna", "anna", "nobody"]
    assert events(store, ADMIN, actions=["login"]).empty
    assert authenticate(store, "anna", PASSWORD) is not None
    ok = _last(store, "login")
    assert ok["username"] == "anna" and ok["role"] == "polis"


def test_deactivated_user_cannot_log_in_by_password_or_oidc(store):
    add_user(store, ADMIN, "anna", "samordnare", password=PASSWORD)
    add_user(store, ADMIN, "anna@stockholm.se", "samordnare", password=PASSWORD)
    set_active(store, ADMIN, "anna", False)
    set_active(store, ADMIN, "anna@stockholm.se", False)
    assert authenticate(store, "anna", PASSWORD) is None
    assert principal_for(store, "anna@stockholm.se") is None
    assert _last(store, "deactivate")["entity_id"] == "anna@stockholm.se"
    users = list_users(store, ADMIN).set_index("username")
    assert not users.loc["anna", "active"]
    assert "password_hash" not in users.columns
    set_active(store, ADMIN, "anna", True)
    assert authenticate(store, "anna", PASSWORD) == Principal("anna", Role.SAMORDNARE)
    assert _last(store, "activate")["entity_id"] == "anna"


def test_only_admins_manage_users(store):
    add_user(store, ADMIN, "anna", "lasare", password=PASSWORD)
    for who in (READER, COORDINATOR):
        with pytest.raises(PermissionDeniedError):
            add_user(store, who, "eve", "admin", password=PASSWORD)
        with pytest.raises(PermissionDeniedError):
            set_role(store, who, "anna", "admin")
        with pytest.raises(PermissionDeniedError):
            set_active(store, who, "anna", False)
        with pytest.raises(PermissionDeniedError):
            list_users(store, who)
    assert principal_for(store, "eve") is None
    assert principal_for(store, "anna") == Principal("anna", Role.LASARE)


def test_role_change_is_audited_with_the_old_role(store):
    add_user(store, ADMIN, "anna", "lasare", password=PASSWORD)
    set_role(store, ADMIN, "anna", "polis")
    row = _last(store, "role_change")
    assert row["entity_id"] == "anna"
    assert row["detail"] == {"role": "polis", "previous_role": "lasare"}
    assert authenticate(store, "anna", PASSWORD).role == Role.POLIS


def test_the_last_admin_stays(store):
    add_user(store, ADMIN, "root", "admin", password=PASSWORD)
    root = Principal("root", Role.ADMIN)
    with pytest.raises(DataValidationError, match="sista aktiva administratören"):
        set_role(store, ADMIN, "root", "lasare")
    with pytest.raises(DataValidationError, match="inaktivera dig själv"):
        set_active(store, root, "root", False)
    with pytest.raises(DataValidationError, match="sista aktiva administratören"):
        set_active(store, ADMIN, "root", False)
    add_user(store, ADMIN, "root2", "admin", password=PASSWORD)
    set_role(store, root, "root2", "lasare")  # root stays admin: allowed
    set_role(store, ADMIN, "root2", "admin")
    set_active(store, ADMIN, "root", False)
    assert principal_for(store, "root") is None


def test_weak_long_and_bad_names_are_refused_with_every_problem(store):
    with pytest.raises(DataValidationError) as err:
        add_user(store, ADMIN, "two words", "superuser", password="short")
    assert {p.field for p in err.value.problems} == {"username", "role", "password"}
    # bcrypt reads 72 bytes: a longer password would be silently cut, so it is refused.
    with pytest.raises(DataValidationError, match="72 byte"):
        add_user(store, ADMIN, "anna", "polis", password="å" * 40)
    assert principal_for(store, "anna") is None


@pytest.mark.parametrize("username, password", [
    ("anna", "x" * 200),                       # longer than bcrypt reads
    ("anna", "å" * 37),                        # 74 bytes in UTF-8
    ("a" * 300, PASSWORD),                     # longer than the user name column
    ("an\x00na", PASSWORD),                    # NUL: PostgreSQL text refuses it
    ("=HYPERLINK(\"http://x\")", PASSWORD),
    ("", ""),
])
def test_odd_log_in_input_fails_cleanly_and_is_audited(store, username, password):
    add_user(store, ADMIN, "anna", "polis", password=PASSWORD)
    assert authenticate(store, username, password) is None
    row = _last(store, "login_failed")
    assert row is not None
    assert len(row["username"]) <= 100


def test_password_guessing_is_blocked_for_a_while(store):
    from datetime import UTC, datetime, timedelta

    from mapapp.auth import LOCKOUT_WINDOW, MAX_FAILED, recent_failures

    add_user(store, ADMIN, "anna", "polis", password=PASSWORD)
    add_user(store, ADMIN, "bertil", "polis", password=PASSWORD)
    for i in range(MAX_FAILED):
        assert authenticate(store, "anna", f"gissning-{i:04d}") is None
    assert recent_failures(store, "anna") == MAX_FAILED
    # now even the right password is refused, and that is recorded as blocked
    assert authenticate(store, "anna", PASSWORD) is None
    assert _last(store, "login_blocked")["entity_id"] == "anna"
    assert len(events(store, ADMIN, actions=["login_failed"])) == MAX_FAILED
    # another user is not affected
    assert authenticate(store, "bertil", PASSWORD) is not None
    # after the window the failures no longer count
    later = datetime.now(UTC) + LOCKOUT_WINDOW + timedelta(seconds=1)
    assert recent_failures(store, "anna", now=later) == 0


def test_admin_resets_a_password(store):
    from mapapp.auth import reset_password

    add_user(store, ADMIN, "anna", "polis", password=PASSWORD)
    with pytest.raises(PermissionDeniedError):
        reset_password(store, COORDINATOR, "anna")
    new = reset_password(store, ADMIN, "anna")
    assert len(new) >= 10 and new != PASSWORD
    assert authenticate(store, "anna", PASSWORD) is None
    assert authenticate(store, "anna", new) == Principal("anna", Role.POLIS)
    row = _last(store, "password_reset")
    assert row["entity_id"] == "anna" and new not in str(row["detail"])
    with pytest.raises(DataValidationError):
        reset_password(store, ADMIN, "anna", password="kort")
