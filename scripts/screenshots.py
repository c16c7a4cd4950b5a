"""Screenshots of the subscriber's main pages for the README: home, account card, readings and pay, at a phone's
width (375 px) and a desk's (1280 px), into docs/screenshots/.

Run against the demo (`make run` in another terminal, then):

    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots]

It logs in through the login form as the demo subscriber, as a person would, and needs nothing but the running
site and Chromium (CHROMIUM, default /usr/bin/chromium)."""

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from abonent.demo.logins import DEMO_SUBSCRIBER  # noqa: E402 — after the repository is on the path

WIDTHS = (375, 1280)


def log_in(page, url: str) -> None:
    page.goto(f"{url}/login/")
    page.locator("input[name=username]").fill(DEMO_SUBSCRIBER.username)
    page.locator("input[name=password]").fill(DEMO_SUBSCRIBER.password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{url}/cabinet/")


def pages(page, url: str) -> dict[str, str]:
    """The pages to show, found as a subscriber finds them: from the home page's first account with meters."""
    page.goto(f"{url}/cabinet/")
    card = page.locator(".account-card").filter(has=page.get_by_role("link", name="Показания")).first
    readings = card.get_by_role("link", name="Показания").get_attribute("href")
    account = readings.split("/")[3]
    return {
        "home": "/cabinet/",
        "card": f"/cabinet/accounts/{account}/",
        "readings": readings,
        "pay": f"/cabinet/pay/?account={account}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SITE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    url = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--headless", "--no-sandbox"]
        )
        context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        log_in(page, url)
        for name, path in pages(page, url).items():
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900 if width > 500 else 800})
                page.goto(url + path)
                target = args.out / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
        browser.close()


if __name__ == "__main__":
    main()
