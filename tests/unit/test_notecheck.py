"""The note check: what a walk team would type, and what must be flagged before saving."""

from __future__ import annotations

import pytest

from mapapp.notecheck import NOTE_MAX_CHARS, blocking, check_note, luhn_ok


def _check_digit(nine: str) -> str:
    """Luhn check digit computed the long way (independent of mapapp.notecheck)."""
    products = [int(c) * w for c, w in zip(nine, [2, 1] * 5, strict=False)]
    s = sum(p // 10 + p % 10 for p in products)
    return str((10 - s % 10) % 10)


# Skatteverket's well-known test number 19121212-1212 ("Tolvan Tolvansson").
TOLVAN = "121212-1212"
SAMORDNING = "121272-123" + _check_digit("121272123")  # day 12 + 60


def kinds(text: str, **kw) -> list[tuple[str, str, str]]:
    return [(f.kind, f.severity, text[f.start:f.end]) for f in check_note(text, **kw)]


@pytest.mark.parametrize("number", [
    TOLVAN, "19121212-1212", "191212121212", "1212121212", "121212+1212", SAMORDNING,
])
def test_valid_personnummer_blocks_saving(number):
    found = kinds(f"Mannen på bänken, {number}, sover där varje natt")
    assert found == [("personnummer", "block", number)]


def test_wrong_check_digit_is_a_warning_not_a_block():
    wrong = TOLVAN[:-1] + str((int(TOLVAN[-1]) + 1) % 10)
    assert kinds(f"ärende {wrong}") == [("personnummer_like", "warn", wrong)]
    assert not blocking(check_note(f"ärende {wrong}"))


def test_impossible_dates_are_not_personnummer():
    assert kinds("Skylt nr 991332-1234 saknas") == []  # month 13
    assert kinds("Skylt nr 990231-1234 saknas") == []  # 31 February


@pytest.mark.parametrize("phone", [
    "070-123 45 67", "08-508 000 00", "+46 8 508 000 00", "0701234567", "0046 70 123 45 67",
])
def test_phone_numbers_are_flagged(phone):
    assert kinds(f"Ring {phone} om lampan") == [("phone", "warn", phone)]


def test_email_is_flagged():
    assert kinds("skriv till a.person@example.se") == [("email", "warn", "a.person@example.se")]


def test_names_are_flagged_but_known_places_are_not():
    assert kinds("Anna Svensson hänger här varje kväll") == [("name", "warn", "Anna Svensson")]
    assert kinds("Killen som heter Kalle") == [("name", "warn", "Kalle")]
    assert kinds("Mörkt vid Liljeholmens Centrum",
                 known_places=["Liljeholmens centrum"]) == []


def test_an_ordinary_walk_note_has_no_findings():
    note = ("Trasig belysning i gångtunneln vid Västberga gårdsväg, mörkt efter kl. 18-20. "
            "Buskarna skymmer sikten mot Älvsjö station. Sett 2023-04-21.")
    assert check_note(note) == []
    assert check_note("") == [] and check_note(None) == []


def test_messages_are_translated_and_do_not_repeat_the_number():
    sv = check_note(f"pnr {TOLVAN}")[0].message
    en = check_note(f"pnr {TOLVAN}", lang="en")[0].message
    assert "personnummer" in sv and "identity number" in en
    assert TOLVAN not in sv and TOLVAN not in en


def test_a_too_long_note_blocks():
    found = check_note("mörkt " * (NOTE_MAX_CHARS // 5))
    assert [f.kind for f in blocking(found)] == ["too_long"]


def test_luhn_agrees_with_the_long_computation():
    for nine in ("811218987", "121212121", "640823323", "000101000"):
        digit = _check_digit(nine)
        assert luhn_ok(nine + digit)
        assert not luhn_ok(nine + str((int(digit) + 1) % 10))
