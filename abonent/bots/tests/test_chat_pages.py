"""The receipt as a PDF, the pay link, outages, contacts and an appeal with a photo, in both messengers."""

import datetime as dt
import io

from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from abonent.outages.models import Outage
from abonent.support.models import Appeal, AppealMessage
from abonent.testing import factories as f

from . import fake_api
from .conftest import texts
from .test_flows import _linked


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return out.getvalue()


def test_the_latest_receipt_comes_as_a_pdf(chat, resident):
    _linked(chat, resident)
    answers = chat.press("receipt")
    assert f"Квитанция ЛС {resident.account.number} за 03.2024" in texts(answers)
    [content] = chat.recorder.uploads()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert resident.account.number in text and "Итого к оплате" in text


def test_pay_link_and_contacts(chat, resident):
    _linked(chat, resident)
    pay = texts(chat.press("pay"))
    assert f"/cabinet/pay/?account={resident.account.pk}" in pay
    contacts = texts(chat.press("contacts"))
    assert resident.org.name in contacts and resident.org.phone in contacts


def test_outages_at_my_house_only(chat, resident):
    _linked(chat, resident)
    assert "не запланировано" in texts(chat.press("outages"))
    now = timezone.now()
    mine = Outage.objects.create(organisation=resident.org, resource=Outage.Resource.COLD_WATER, description="Ремонт ввода",
                                 starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=5))  # fmt: skip
    mine.buildings.add(resident.account.premises.building)
    elsewhere = Outage.objects.create(organisation=resident.org, resource=Outage.Resource.HEATING, description="Чужой дом",
                                      starts_at=now, ends_at=now + dt.timedelta(hours=5))  # fmt: skip
    elsewhere.buildings.add(f.BuildingFactory(organisation=resident.org))
    answer = texts(chat.press("outages"))
    assert "Ремонт ввода" in answer and resident.account.premises.address in answer and "Чужой дом" not in answer


def test_an_appeal_with_a_photo(chat, resident, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake_api.FILES.update({path: _jpeg() for path in fake_api.FILES})
    _linked(chat, resident)
    assert "Напишите текст обращения" in texts(chat.press("appeal"))
    refused = texts(chat.say("   "))
    assert "ещё раз" in refused and not Appeal.objects.exists()
    done = texts(chat._answers(chat.post(chat.photo("Протекает крыша над кухней"))))
    appeal = Appeal.objects.get()
    assert f"Обращение № {appeal.pk} отправлено" in done
    assert appeal.account == resident.account and appeal.author == resident.user and "Протекает крыша" in appeal.text
    [attachment] = AppealMessage.objects.get(appeal=appeal).attachments.all()
    assert attachment.file.read() == fake_api.FILES["/images/one.jpg"]
