"""Appeals and paid-service requests refuse, in Russian, what their columns and readers cannot take — whether
the value comes through the page or straight into the service."""

import datetime as dt
import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from abonent.support import services
from abonent.support.models import Appeal, PaidService, PaidServiceRequest

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def png_claiming(width: int, height: int) -> bytes:
    """A real 4×4 PNG whose header claims width × height pixels: a few hundred bytes, gigabytes once decoded."""
    data = bytearray(png_bytes())
    ihdr = 8 + 8  # signature, then the IHDR chunk's length and type
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr - 4 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


@pytest.mark.parametrize("size", [(100_000, 100_000), (10_000, 7_000)], ids=["bomb", "70-megapixels"])
def test_a_decompression_bomb_is_refused_in_russian(subscriber, account, client, size):
    client.force_login(subscriber)
    upload = SimpleUploadedFile("photo.png", png_claiming(*size), content_type="image/png")
    response = client.post(
        "/cabinet/appeals/new/",
        {"account": account.pk, "topic": "other", "text": "Течёт кран", "contact": "+79170000000", "files": upload},
    )
    assert response.status_code == 400
    assert "слишком большое" in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_service_refuses_a_contact_longer_than_its_column(subscriber, account):
    with pytest.raises(ValidationError) as exc:
        services.appeal_create(user=subscriber, account_id=account.pk, topic="other", text="Текст", contact="7" * 500)
    assert "contact" in exc.value.message_dict
    assert "Не длиннее 200 знаков" in exc.value.message_dict["contact"][0]
    assert not Appeal.objects.exists()


def test_text_that_was_not_utf8_is_refused_not_stored_as_replacement_characters(subscriber, account, client):
    client.force_login(subscriber)
    body = f"account={account.pk}&topic=other&text=%FF%FE%FD&contact=%2B79170000000".encode()
    response = client.generic("POST", "/cabinet/appeals/new/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "нечитаемые символы" in response.content.decode()
    assert not Appeal.objects.exists()


def test_full_width_or_huge_account_ids_are_no_account(subscriber, account):
    for account_id in (
        "５８",
        str(account.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "9" * 20,
    ):
        with pytest.raises(ValidationError) as exc:
            services.appeal_create(user=subscriber, account_id=account_id, topic="other", text="Т", contact="+7917")
        assert "account" in exc.value.message_dict


@pytest.fixture
def service(account):
    return PaidService.objects.create(organisation=account.organisation, name="Замена смесителя", price="1500.00")


def test_a_desired_date_years_ahead_is_refused(subscriber, account, service):
    with pytest.raises(ValidationError) as exc:
        services.paid_request_create(
            user=subscriber,
            account_id=account.pk,
            service_id=service.pk,
            desired_date=dt.date(9999, 12, 31),
            contact="+79170000000",
        )
    assert "не позже" in exc.value.message_dict["desired_date"][0]
    assert not PaidServiceRequest.objects.exists()
    # …while a date within the year is taken
    today = account.organisation.today()
    services.paid_request_create(
        user=subscriber,
        account_id=account.pk,
        service_id=service.pk,
        desired_date=today + dt.timedelta(days=300),
        contact="+79170000000",
    )


def test_the_page_says_so_for_9999_12_31(subscriber, account, service, client):
    client.force_login(subscriber)
    data = {"account": account.pk, "service": service.pk, "desired_date": "9999-12-31", "contact": "+79170000000"}
    response = client.post("/cabinet/paid-services/", data)
    assert response.status_code == 400
    assert "не позже" in response.content.decode()
    assert not PaidServiceRequest.objects.exists()


def test_a_5000_digit_service_in_the_query_is_ignored(subscriber, client):
    client.force_login(subscriber)
    response = client.get("/cabinet/paid-services/?service=" + "9" * 5000)
    assert response.status_code == 200


def test_the_service_refuses_a_request_contact_longer_than_its_column(subscriber, account, service):
    with pytest.raises(ValidationError) as exc:
        services.paid_request_create(
            user=subscriber,
            account_id=account.pk,
            service_id=service.pk,
            desired_date=account.organisation.today(),
            contact="7" * 500,
        )
    assert "contact" in exc.value.message_dict


def test_png_helper_really_claims_the_size():
    with Image.open(io.BytesIO(png_claiming(10_000, 7_000))) as image:
        assert image.size == (10_000, 7_000)
