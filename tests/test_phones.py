"""Phone numbers: what a sourcer types becomes E.164; stored numbers read as people say them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.phones import (
    PhoneError,
    format_national,
    normalize_phone,
    number_type_name,
    split_extension,
)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(415) 555-2671", "US", "+14155552671"),
        ("415.555.2671", "US", "+14155552671"),
        ("  212-555-0100  ", "US", "+12125550100"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("020 7946 0018", "gb", "+442079460018"),
        ("+44 20 7946 0018", "US", "+442079460018"),
        ("+1 (212) 555-0100", "GB", "+12125550100"),
        ("030 123456", "DE", "+4930123456"),
    ],
)
def test_normalize_phone_reads_numbers_without_country_code_in_the_given_region(
    raw, region, expected
):
    assert normalize_phone(raw, region) == expected


def test_normalize_phone_falls_back_to_us_when_no_region_is_given():
    assert normalize_phone("(212) 555-0100", None) == "+12125550100"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_normalize_phone_turns_blank_input_into_none(raw):
    assert normalize_phone(raw, "US") is None


def test_normalize_phone_refuses_a_number_too_short_for_the_region_naming_the_region():
    with pytest.raises(PhoneError, match=r"“123” is not a valid number in US"):
        normalize_phone("123", "US")


def test_normalize_phone_refuses_a_uk_number_read_in_the_us():
    with pytest.raises(PhoneError, match="not a valid number in US"):
        normalize_phone("020 7946 0018", "US")


def test_normalize_phone_refuses_letters_as_not_a_phone_number():
    with pytest.raises(PhoneError, match="is not a phone number"):
        normalize_phone("call reception", "US")


def test_normalize_phone_does_not_name_a_region_for_numbers_with_a_country_code():
    with pytest.raises(PhoneError) as info:
        normalize_phone("+1 212 555", "GB")
    assert "not a valid number" in str(info.value) and " in GB" not in str(info.value)


def test_normalize_phone_refuses_overlong_input_without_parsing_it():
    with pytest.raises(PhoneError, match="too long"):
        normalize_phone("1" * 41, "US")


def test_format_national_shows_home_numbers_in_national_format():
    assert format_national("+14155552671") == "(415) 555-2671"
    assert format_national("+442079460018", "GB") == "020 7946 0018"
    assert format_national("+442079460018", "gb") == "020 7946 0018"


def test_format_national_shows_foreign_numbers_with_their_country_code():
    assert format_national("+442079460018", "US") == "+44 20 7946 0018"
    assert format_national("+14155552671", "GB") == "+1 415-555-2671"


def test_format_national_shows_nothing_for_no_number():
    assert format_national(None) == "" and format_national("") == ""


def test_format_national_returns_unparseable_values_unchanged():
    assert format_national("not a number") == "not a number"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("555-0100 x123", ("555-0100", "123")),
        ("555-0100 X123", ("555-0100", "123")),
        ("555-0100x123", ("555-0100", "123")),
        ("555-0100 ext. 42", ("555-0100", "42")),
        ("555-0100 ext 42", ("555-0100", "42")),
        ("555-0100 Ext.42", ("555-0100", "42")),
        ("(212) 555-0100#7", ("(212) 555-0100", "7")),
    ],
)
def test_split_extension_separates_the_extension_typed_after_the_number(raw, expected):
    assert split_extension(raw) == expected


@pytest.mark.parametrize("raw", ["(212) 555-0100", "555-0100 xyz", "Max", "+44 20 7946 0018"])
def test_split_extension_leaves_numbers_without_a_digit_extension_alone(raw):
    assert split_extension(raw) == (raw, None)


@pytest.mark.parametrize("raw", [None, ""])
def test_split_extension_passes_blank_input_through(raw):
    assert split_extension(raw) == (raw, None)


@pytest.mark.parametrize(("e164", "kind"), [
    ("+12125550142", "FIXED_LINE_OR_MOBILE"),
    ("+19002345678", "PREMIUM_RATE"),
    ("+18002345678", "TOLL_FREE"),
    ("+447912345678", "MOBILE"),
    ("not a number", "UNKNOWN"),
])
def test_number_type_name_names_the_kind_of_line(e164, kind):
    assert number_type_name(e164) == kind


# Anything a sourcer (or a hostile client) can type: digits, separators, letters, +, unicode.
typed = st.text(st.sampled_from("0123456789+-(). xX#ext٣" + "abc"), max_size=45)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(raw=typed, region=st.sampled_from(["US", "CA", "GB", "DE", "zz", None]))
def test_normalize_phone_answers_e164_or_a_phone_error_for_any_input(raw, region):
    try:
        e164 = normalize_phone(raw, region)
    except PhoneError:
        return
    if e164 is not None:
        assert e164.startswith("+") and e164[1:].isdigit()
        assert normalize_phone(e164, "US") == e164  # stored numbers read back unchanged
        assert number_type_name(e164) != "UNKNOWN"  # a valid number has a kind of line
