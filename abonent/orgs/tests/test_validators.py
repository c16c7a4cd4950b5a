import pytest
from django.core.exceptions import ValidationError

from abonent.orgs import validators as v


@pytest.mark.parametrize("inn", ["7707083893", "7325000870", "500100732259"])
def test_valid_inn_passes(inn):
    v.validate_inn(inn)


@pytest.mark.parametrize(
    ("inn", "message"),
    [
        ("7707083890", "контрольное число"),
        ("500100732250", "контрольное число"),
        ("77070838", "10 или 12 цифр"),
        ("77070838AB", "10 или 12 цифр"),
        ("", "10 или 12 цифр"),
    ],
)
def test_bad_inn_is_refused_in_russian(inn, message):
    with pytest.raises(ValidationError, match=message):
        v.validate_inn(inn)


def test_kpp_and_bik_are_nine_digits():
    v.validate_kpp("732501001")
    v.validate_bik("047308602")
    for bad in ("73250100", "7325010011", "73250100A"):
        with pytest.raises(ValidationError, match="9 цифр"):
            v.validate_kpp(bad)
        with pytest.raises(ValidationError, match="9 цифр"):
            v.validate_bik(bad)


def test_real_bank_accounts_match_their_bik():
    # Sberbank's own correspondent account and a settlement account keyed against the Ulyanovsk БИК.
    v.validate_correspondent_account("30101810400000000225", "044525225")
    v.validate_settlement_account("40702810969000001234", "047308602")


def test_account_with_a_wrong_key_is_refused():
    with pytest.raises(ValidationError, match="не соответствует БИК"):
        v.validate_settlement_account("40702810069000001234", "047308602")
    with pytest.raises(ValidationError, match="не соответствует БИК"):
        v.validate_correspondent_account("30101810500000000225", "044525225")
    with pytest.raises(ValidationError, match="20 цифр"):
        v.validate_settlement_account("4070281096900000123", "047308602")


def test_generators_make_valid_requisites():
    inn = v.inn_with_check("732500087")
    v.validate_inn(inn)
    for tail in range(50):
        v.validate_settlement_account(v.account_with_key("047308602", f"40702810{tail:012d}"), "047308602")


def test_ogrn_check_digit():
    v.validate_ogrn("1027700132195")  # Sberbank
    with pytest.raises(ValidationError, match="контрольное число"):
        v.validate_ogrn("1027700132196")
