"""Readings refuse ids beyond the database's range and digits other than 0-9: a 404 or a Russian message, no 500."""

import datetime as dt

import pytest
import time_machine

from abonent.metering.checks import parse_value
from abonent.metering.errors import ReadingError
from abonent.metering.models import Reading
from abonent.metering.submit import Submission, readings_submit

from .conftest import UTC

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"  # 20 digits: past 2**63-1


@pytest.fixture
def in_window():
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=UTC), tick=False):
        yield


def test_a_20_digit_account_id_in_the_confirmed_form_is_a_404(client, user, in_window):
    client.force_login(user)
    response = client.post(f"/cabinet/accounts/{HUGE}/readings/", {"confirm": "1", "action": "submit"})
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_a_20_digit_meter_id_in_a_field_name_saves_nothing(client, user, account, meter, in_window):
    client.force_login(user)
    data = {"confirm": "1", "action": "submit", f"value_{HUGE}": "5", f"value_{meter.pk}": "12"}
    response = client.post(f"/cabinet/accounts/{account.pk}/readings/", data)
    assert response.status_code in (200, 302, 400)
    assert not Reading.objects.filter(meter_id__gt=meter.pk).exists()


def test_the_service_says_unknown_meter_for_an_id_past_the_column(org, user, in_window):
    with pytest.raises(ReadingError) as exc:
        readings_submit(
            organisation=org,
            submissions=[Submission(meter_id=int(HUGE), text="5")],
            user=user,
            channel=Reading.Channel.PORTAL,
        )
    assert exc.value.code == "unknown_meter"


def test_a_full_width_meter_id_is_not_that_meter(client, user, account, meter, in_window):
    client.force_login(user)
    full_width = str(meter.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post(
        f"/cabinet/accounts/{account.pk}/readings/", {"confirm": "1", "action": "submit", f"value_{full_width}": "12"}
    )
    assert response.status_code in (200, 400)
    assert not Reading.objects.exists()


@pytest.mark.parametrize("typed", ["５８", "58,５", "٥٨"])
def test_a_reading_in_other_digits_is_refused(typed):
    with pytest.raises(ReadingError) as exc:
        parse_value(typed, digits_before=5, digits_after=3)
    assert "цифрами 0–9" in str(exc.value.messages[0])


def test_ascii_readings_still_parse():
    assert str(parse_value("58,5", digits_before=5, digits_after=3)) == "58.5"
