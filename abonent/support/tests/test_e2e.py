"""A subscriber writes an appeal with a photo, an operator answers in the back office, the subscriber reads the
answer and gets the e-mail through a real SMTP server."""

import time

import pytest
from django.test import Client

from abonent.support.models import Appeal
from abonent.testing.smtp import smtp_server

from .conftest import PASSWORD, png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp(settings):
    with smtp_server(settings) as inbox:
        yield inbox


def test_appeal_with_photo_answered_by_operator(live_server, page, browser, settings, smtp, subscriber, operator):
    settings.SITE_URL = live_server.url
    # The subscriber logs in through the real form and writes an appeal with a photo.
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", subscriber.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    page.goto(live_server.url + "/cabinet/appeals/new/")
    page.select_option("select[name=topic]", "quality")
    page.fill("textarea[name=text]", "Протекает стояк в ванной <b>срочно</b>")
    page.fill("input[name=contact]", "+7 917 000-00-00")
    page.set_input_files(
        "input[name=files]", files=[{"name": "stoyak.png", "mimeType": "image/png", "buffer": png_bytes((32, 24))}]
    )
    page.locator("form button[type=submit]", has_text="Отправить").click()
    page.wait_for_url("**/cabinet/appeals/*/")
    appeal = Appeal.objects.get()
    assert page.get_by_text("Новое").first.is_visible()
    assert page.get_by_text("Протекает стояк в ванной <b>срочно</b>").is_visible()  # shown as text, not HTML
    photo = page.get_by_role("link", name="stoyak.png")
    assert page.request.get(live_server.url + photo.get_attribute("href")).body() == png_bytes((32, 24))

    # The operator answers in the back office (logged in by a session cookie).
    client = Client()
    client.force_login(operator)
    office = browser.new_context(locale="ru-RU")
    office.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    desk = office.new_page()
    desk.goto(f"{live_server.url}/admin/support/appeal/{appeal.pk}/change/")
    assert desk.get_by_text("stoyak.png").is_visible()
    desk.fill("textarea[name=reply]", "Слесарь придёт завтра с 9 до 12.")
    desk.fill("textarea[name=note]", "Передано в аварийную службу")
    desk.locator("input[name=_save]").click()
    desk.wait_for_url("**/admin/support/appeal/")
    office.close()

    # The subscriber sees the answer (and not the note) and has the e-mail.
    page.reload()
    assert page.get_by_text("Слесарь придёт завтра с 9 до 12.").is_visible()
    assert page.get_by_text("Ответ дан").first.is_visible()
    assert "аварийную" not in page.content()
    deadline = time.monotonic() + 5
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp.messages) == 1
    letter = smtp.messages[0]
    assert letter["To"] == subscriber.email and f"№ {appeal.pk}" in letter["Subject"]
    text = letter.get_body(("plain",)).get_content()
    assert "Слесарь придёт завтра" in text and f"{live_server.url}/cabinet/appeals/{appeal.pk}/" in text
    assert str(letter["List-Unsubscribe"]).strip().startswith(f"<{live_server.url}/unsubscribe/")
