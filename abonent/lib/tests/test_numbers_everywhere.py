"""One number format on every page: the subscriber's cabinet, its receipts (HTML and PDF) and the back office over the demo register, read as a
person reads them (the text and the values in the fields), must show no raw number — no float noise or six
decimals ("695623.159999999", "59,200000"), no dot-decimal amount ("1500.00 ₽"), no ungrouped thousands
("1500,00 ₽"). The register is `seed_demo` with two months of history, plus a recalculation whose volume has
six decimals, as the engine books them, and a paid service of 1 500 ₽."""

import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pypdf
import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from abonent.billing.models import BillingPeriod, Charge, Recalculation
from abonent.demo.logins import ADMIN, DEMO_SUBSCRIBER, OPERATOR
from abonent.housing.models import PersonalAccount
from abonent.support.models import PaidService
from abonent.users.models import User

pytestmark = pytest.mark.django_db

RAW = {
    # Norms and tariffs are shown as set (0,0181 Гкал, 9,044 ₽), so four places are legitimate; five are noise.
    "шум float или лишние знаки": re.compile(r"\d+[.,]\d{5,}"),
    "нули после третьего знака": re.compile(r"\d+,\d{3,}0\b"),
    "одна цифра копеек": re.compile(r"\d+,\d\s?₽"),
    "сумма с точкой": re.compile(r"\d+\.\d{2}\s?₽"),
    "тысячи без пробела": re.compile(r"\d{4,},\d{2}\s?₽"),
}
# Not numbers a person reads as amounts: dates and times, versions, phone numbers, bank details, tokens.
NOT_AMOUNTS = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}|\d{1,2}:\d{2}|\b\d{9,}\b")


class VisibleText(HTMLParser):
    """The text a person sees: text outside <script>/<style>, and what the visible fields hold."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") not in ("hidden", "password") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def raw_numbers(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return raw_in(parser.parts)


def raw_in(parts: list[str]) -> list[str]:
    found = []
    for part in parts:
        text = NOT_AMOUNTS.sub(" ", part.replace("\u00a0", " "))
        for name, pattern in RAW.items():
            found += [f"{name}: «{m.group(0)}» в «{part.strip()[:120]}»" for m in pattern.finditer(text)]
    return found


@pytest.fixture
def demo():
    call_command("seed_demo", "--months", "2", verbosity=0, stdout=io.StringIO())
    account = PersonalAccount.objects.filter(user_links__user__username=DEMO_SUBSCRIBER.username).first()
    charge = Charge.objects.filter(account=account).select_related("period", "service").first()
    open_period = BillingPeriod.objects.filter(organisation=account.organisation).order_by("-month").first()
    Recalculation.objects.create(
        account=account,
        period=open_period,
        corrected_period=charge.period,
        service=charge.service,
        kind=Recalculation.Kind.OPERATOR,
        volume=Decimal("232.116667"),
        amount=Decimal("1234.56"),
        reason="Уточнён объём",
    )
    PaidService.objects.create(organisation=account.organisation, name="Поверка счётчика", price=Decimal("1500"))


def _check(client, url: str, hits: dict) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
        lines = [line for page in pages for line in page.extract_text().splitlines()]
        assert any("Итого к оплате" in line for line in lines), url  # the text is read, not an empty extraction
        found = raw_in(lines)
    else:
        found = raw_numbers(response.content.decode()) if "html" in kind else []
    if found:
        hits[url] = found


def _subscriber_urls() -> list[str]:
    urls = [reverse(name) for name in ("users:cabinet", "payments:pay", "support:paid_services", "portal:tariffs")]
    accounts = PersonalAccount.objects.filter(user_links__user__username=DEMO_SUBSCRIBER.username)
    for account in accounts:
        for name in ("card", "debt", "history", "movement", "common"):
            urls.append(reverse(f"billing:{name}", args=[account.pk]))
        urls.append(reverse("metering:readings", args=[account.pk]))
        urls.append(reverse("receipts:list", args=[account.pk]))
        for period in BillingPeriod.objects.filter(organisation=account.organisation, state="published"):
            urls.append(reverse("receipts:print", args=[account.pk, f"{period.month:%Y-%m}"]))
            urls.append(reverse("receipts:pdf", args=[account.pk, f"{period.month:%Y-%m}"]))
    return urls


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        # The change form of the last row: it carries the history's figures (and the recalculation made above).
        for obj in model._default_manager.order_by("-pk")[:1]:
            urls.append(reverse(f"{name}_change", args=[obj.pk]))
    # Every period's totals (the sums of its charges, which SQLite adds up as floats).
    for period in BillingPeriod.objects.all():
        urls.append(reverse("admin:billing_billingperiod_change", args=[period.pk]))
    return urls


def _operator_urls() -> list[str]:
    """The back office's own forms, which need the operator's organisation."""
    names = ("metering_reading_enter", "metering_reading_silent", "payments_payment_cash", "users_accountlink_issue")
    return [reverse(f"admin:{name}") for name in names]


def test_no_raw_number_on_any_page(client, demo):
    hits: dict[str, list[str]] = {}
    client.force_login(User.objects.get(username=DEMO_SUBSCRIBER.username))
    for url in _subscriber_urls():
        _check(client, url, hits)
    client.force_login(User.objects.get(username=ADMIN.username))
    for url in _admin_urls():
        _check(client, url, hits)
    client.force_login(User.objects.get(username=OPERATOR.username))
    for url in _operator_urls():
        _check(client, url, hits)
    assert not hits, "\n".join(f"{url}\n  " + "\n  ".join(found[:5]) for url, found in hits.items())
