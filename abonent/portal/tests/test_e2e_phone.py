"""Every subscriber and public page of the demo in a real browser at phone widths (320, 375, 414 px) and a desk's:
nothing wider than the screen, the amounts on screen without sideways scrolling, buttons big enough for a thumb."""

import pytest

from abonent.billing import statements
from abonent.demo.logins import DEMO_SUBSCRIBER
from abonent.lib.numbers import money
from abonent.testing import axe
from abonent.users.models import AccountLink

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 375, 414, 1280)
PUBLIC = [
    "/",
    "/tariffs/",
    "/contacts/",
    "/requisites/",
    "/outages/",
    "/news/",
    "/about/",
    "/help/",
    "/consent/",
    "/login/",
    "/register/",
    "/password/reset/",
    "/apply/cabinet/",
    "/apply/connection/",
]

# The figures a subscriber opens the page for: each must be on screen without scrolling sideways.
KEY_AMOUNTS = ".debt, .advance, td.num, .amount, .total-owed"


def overflow(page) -> dict:
    """What sticks out sideways: the page's width and the key amounts that lie beyond the screen's edge."""
    return page.evaluate(
        """(selector) => {
          const width = window.innerWidth;
          const outside = [...document.querySelectorAll(selector)]
            .filter(e => e.offsetParent !== null && e.closest('.no-phone') === null)
            .map(e => [e.getBoundingClientRect(), e.textContent.trim()])
            .filter(([box, text]) => text && box.width > 0 && (box.left < 0 || box.right > width + 0.5))
            .map(([box, text]) => `${text} [${Math.round(box.left)}..${Math.round(box.right)}]`);
          return {scroll: document.documentElement.scrollWidth, width, outside: outside.slice(0, 5)};
        }""",
        KEY_AMOUNTS,
    )


def small_buttons(page) -> list[str]:
    """Buttons and button-looking links under 44 px tall (the size a finger hits)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('button:not(.link), .button, input[type=submit]')]
          .filter(e => e.offsetParent !== null)
          .filter(e => e.getBoundingClientRect().height < 43.5)
          .map(e => `${e.textContent.trim() || e.value} (${Math.round(e.getBoundingClientRect().height)} px)`)"""
    )


def sweep(page, url, paths) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            response = page.goto(url + path)
            assert response.status == 200, path
            assert "{#" not in page.inner_text("body"), path  # a template comment left on the page
            found = overflow(page)
            if found["scroll"] > width or found["outside"]:
                problems.append(f"{width} {path}: {found}")
            if width < 1280 and (small := small_buttons(page)):
                problems.append(f"{width} {path}: small buttons {small}")
    return problems


def test_every_page_fits_a_phone(live_server, page, demo_cabinet):
    problems = sweep(page, live_server.url, demo_cabinet)
    page.context.clear_cookies()
    problems += sweep(page, live_server.url, PUBLIC)
    assert problems == [], "\n".join(problems)


def test_meters_are_compact_on_a_phone(live_server, page, demo_cabinet):
    """A meter's facts read as two columns on a phone: six facts in a few lines, not a screen of them."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + next(path for path in demo_cabinet if path.endswith("/readings/")))
    facts = page.locator(".meter .facts").first
    assert facts.is_visible()
    assert facts.bounding_box()["height"] < 260  # one fact under another: about 330 px
    assert (
        page.get_by_text("Поверка до").first.bounding_box()["x"]
        < 100
        < page.get_by_text("Холодная вода", exact=False).first.bounding_box()["x"]
    )


TABS = ["Главная", "Начисления", "Показания", "Платежи", "ОДН", "Квитанции", "Оплата"]


def test_every_account_page_has_the_same_tabs(live_server, page, demo_cabinet):
    account_pages = [path for path in demo_cabinet if path.startswith("/cabinet/accounts/") and "add" not in path]
    assert len(account_pages) == 8
    for path in account_pages:
        page.goto(live_server.url + path)
        tabs = page.get_by_role("navigation", name="Разделы лицевого счёта").get_by_role("link")
        assert tabs.all_inner_texts() == TABS, path
    page.goto(live_server.url + account_pages[0] + "readings/")
    current = page.locator(".account-nav [aria-current=page]")
    assert current.inner_text() == "Показания"
    page.get_by_role("navigation", name="Разделы лицевого счёта").get_by_role("link", name="Квитанции").click()
    assert page.locator(".account-nav [aria-current=page]").inner_text() == "Квитанции"
    assert "Квитанции" in page.locator("h1").inner_text()


def test_my_payments_in_the_top_menu_of_every_subscriber_page(live_server, page, demo_cabinet):
    """Seed 004's sections: the account's charges and payments are its tabs; the card payments of all the
    subscriber's accounts («Мои платежи») are one click away from any page, on a phone too."""
    page.set_viewport_size({"width": 320, "height": 700})
    for path in demo_cabinet:
        page.goto(live_server.url + path)
        menu = page.get_by_role("navigation", name="Основное меню")
        assert menu.get_by_role("link", name="Мои платежи").is_visible(), path
    page.goto(live_server.url + demo_cabinet[1])  # the account card
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Мои платежи").click()
    page.wait_for_url("**/cabinet/payments/")
    assert "платеж" in page.locator("h1").inner_text().lower()
    current = page.locator(".top-nav [aria-current=page]")
    assert current.inner_text() == "Мои платежи"
    page.context.clear_cookies()
    page.goto(live_server.url + "/")
    assert page.get_by_role("link", name="Мои платежи").count() == 0  # logged out: no cabinet links


def test_home_shows_the_total_owed(live_server, page, demo_cabinet):

    links = AccountLink.objects.filter(user__username=DEMO_SUBSCRIBER.username)
    debts = statements.debts([link.account_id for link in links])
    assert len(debts) > 1 and any(debt > 0 for debt in debts.values())
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(live_server.url + "/cabinet/")
    total = page.locator(".total-owed")
    assert total.is_visible()
    assert money(sum(debt for debt in debts.values() if debt > 0)) in total.inner_text()
    assert total.bounding_box()["y"] < 700  # on the first screen, before the accounts


@pytest.mark.parametrize("width", [375, 1280])
def test_no_serious_accessibility_violation_on_any_page(live_server, page, demo_cabinet, width):
    """axe-core on every subscriber page, then every public one logged out: nothing serious or critical."""
    page.set_viewport_size({"width": width, "height": 800})
    problems = []
    for paths in (demo_cabinet, PUBLIC):
        for path in paths:
            page.goto(live_server.url + path)
            problems += [f"{path}: {found}" for found in axe.violations(page)]
        page.context.clear_cookies()
    assert problems == [], "\n".join(problems)
