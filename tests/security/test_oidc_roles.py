"""Roles from the identity provider's groups (``MAPAPP_OIDC_ROLES``): parsing the setting, the
most privileged mapped group wins, a user with no mapped group or deactivated by an
administrator is refused, every log-in takes the groups' role -- on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mapapp.access import GroupRole, Role, group_roles, role_for_groups
from mapapp.auth import authenticate, login_mapped, principal_for, set_active
from mapapp.errors import ConfigurationError
from mapapp.settings import load_settings
from mapapp.store.audit import events
from mapapp.store.models import User
from tests.conftest import ADMIN

MAPPING = group_roles("mapapp-lasare=lasare, mapapp-polis=polis,\nmapapp-admin=admin,"
                      "c0ffee-42=vandrare:lag-3")


def test_setting_parses_groups_roles_and_teams():
    want = {"mapapp-lasare": GroupRole(Role.LASARE), "mapapp-polis": GroupRole(Role.POLIS),
            "mapapp-admin": GroupRole(Role.ADMIN), "c0ffee-42": GroupRole(Role.VANDRARE, "lag-3")}
    assert want == MAPPING
    assert load_settings({"MAPAPP_OIDC_ROLES": "g=polis"}).oidc_roles == "g=polis"
    assert load_settings({}).oidc_groups_claim == "groups"


@pytest.mark.parametrize("bad", ["mapapp-polis", "g=kung", "=admin", "a=polis,b"])
def test_bad_settings_are_refused_in_both_languages(bad):
    with pytest.raises(ConfigurationError, match="MAPAPP_OIDC_ROLES: skriv grupp=roll.*/ write"):
        load_settings({"MAPAPP_OIDC_ROLES": bad})


def test_the_most_privileged_mapped_group_wins():
    assert role_for_groups(["mapapp-lasare", "mapapp-admin"], MAPPING) == GroupRole(Role.ADMIN)
    assert role_for_groups(["ekonomi", "mapapp-polis"], MAPPING) == GroupRole(Role.POLIS)
    assert role_for_groups("c0ffee-42", MAPPING) == GroupRole(Role.VANDRARE, "lag-3")
    for none in (["ekonomi"], [], None, 42, {"mapapp-admin": True}):
        assert role_for_groups(none, MAPPING) is None


def test_login_makes_the_user_and_follows_the_groups(store):
    who = login_mapped(store, "anna@stad.example", GroupRole(Role.POLIS))
    assert (who.username, who.role) == ("anna@stad.example", Role.POLIS)
    assert principal_for(store, "anna@stad.example") == who  # a running session sees it
    with store.connect() as c:
        pw = c.execute(select(User.password_hash).where(User.username == "anna@stad.example")
                       ).scalar_one()
    assert pw is None and authenticate(store, "anna@stad.example", "") is None
    # the groups changed at the identity provider: the next log-in takes the new role
    again = login_mapped(store, "Anna@Stad.example", GroupRole(Role.VANDRARE, "lag-3"))
    assert (again.username, again.role, again.team) == ("anna@stad.example", Role.VANDRARE,
                                                        "lag-3")
    log = events(store, ADMIN)
    mine = log[log["entity_id"] == "anna@stad.example"]
    assert list(mine["action"])[::-1] == ["create", "login", "login_failed",  # the password try
                                          "change", "login"]  # oldest first


def test_no_mapped_group_or_deactivated_user_is_refused(store):
    assert login_mapped(store, "bertil@stad.example", None) is None
    assert principal_for(store, "bertil@stad.example") is None  # no user was made
    login_mapped(store, "cecilia@stad.example", GroupRole(Role.POLIS))
    set_active(store, ADMIN, "cecilia@stad.example", False)
    assert login_mapped(store, "cecilia@stad.example", GroupRole(Role.ADMIN)) is None
    log = events(store, ADMIN)
    failed = log[log["action"] == "login_failed"]
    assert set(failed["entity_id"]) >= {"bertil@stad.example", "cecilia@stad.example"}
