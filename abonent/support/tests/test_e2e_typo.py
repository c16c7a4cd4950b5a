"""In a browser, as a reader does it: select text on a page, press Ctrl+Enter, add a comment, send; the dialog
thanks them and the operator of the page's organisation has the report. Under the site's CSP, at phone and desk
widths."""

import pytest
from playwright.sync_api import expect

from abonent.support.models import TypoReport
from abonent.testing.factories import OrganisationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1280])
def test_select_ctrl_enter_comment_send(live_server, page, width):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": width, "height": 800})
    org = OrganisationFactory(office_address="ул. Гончарова, д. 5, окно 3")
    page.goto(f"{live_server.url}/o/{org.code}/contacts/")
    address = page.get_by_text("ул. Гончарова, д. 5, окно 3")
    address.click(click_count=3)  # a triple click selects the line, as a reader would with the mouse
    page.keyboard.press("Control+Enter")
    dialog = page.locator("#typo-dialog")
    expect(dialog).to_be_visible()
    assert "ул. Гончарова, д. 5, окно 3" in dialog.locator("blockquote").inner_text()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # fits a phone
    page.get_by_label("Комментарий").fill("Окно 4, а не 3")
    dialog.get_by_role("button", name="Отправить").click()
    expect(dialog.get_by_role("status")).to_have_text("Спасибо! Сообщение об ошибке отправлено.")
    dialog.get_by_role("button", name="Закрыть").click()
    expect(dialog).to_be_hidden()
    stored = TypoReport.objects.get()
    assert "ул. Гончарова, д. 5, окно 3" in stored.text
    assert stored.comment == "Окно 4, а не 3"
    assert stored.url == f"/o/{org.code}/contacts/"
    assert stored.organisation == org and stored.user is None
    assert "ул. Гончарова, д. 5, окно 3" in stored.context
    assert errors == []


def test_ctrl_enter_without_a_selection_opens_nothing(live_server, page):
    page.goto(f"{live_server.url}/help/")
    page.keyboard.press("Control+Enter")
    assert not page.locator("#typo-dialog").is_visible()
