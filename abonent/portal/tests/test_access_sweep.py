"""One subscriber never opens another's account, meter, receipt, appeal, attachment, request, link or payment, and
an operator never opens another organisation's: every URL that takes such an id, walked from the resolver.

Table-driven like test_no_500_sweep (its URL walking helpers): the first subscriber owns one real object of each
kind; each URL with an id parameter is requested with the first subscriber's ids by a second subscriber and by an
operator of another organisation, and must answer 404 (403 where the view refuses so), never 2xx or a redirect.
The first subscriber (the organisation's own operator for the back office's receipt) gets the same URLs, so a
404 cannot come from an object that is not there. A new URL with an id parameter not named in OWNED or PUBLIC
fails the test until it is.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from abonent.billing import cycle
from abonent.billing.models import Service
from abonent.metering.models import Reading
from abonent.office.models import OfficeRole, Role
from abonent.payments.models import Payment
from abonent.portal.tests.test_no_500_sweep import patterns, url_forms
from abonent.support import services as support
from abonent.support.models import Appeal, PaidService
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db

# URL parameters naming a subscriber's own object (the month goes with the account: the account's receipt).
OWNED = {"account_id", "meter_id", "appeal_id", "attachment_id", "request_id", "link_id", "order", "month"}
# Parameters of pages that are public or reached by a secret in the link, not by an id of someone's object.
PUBLIC = {"news_id", "code", "provider", "token", "uidb64", "key"}  # key: the captcha's picture
# Objects of an organisation that only its operators open (an applicant's scans): no subscriber owns them, so the
# owner's control below does not apply; applications/tests/test_cabinet_application.py refuses the others.
OPERATORS_ONLY = {"document_id"}
# Ids walked by their own app's table of the same kind: the office's objects and jobs by every role and another
# organisation's operator (office/tests/test_roles.py, test_jobs.py), personal tokens and authorised apps
# (api/tests/test_tokens.py, test_oauth.py), auto-pay and fiscal receipts (payments/tests/test_autopay.py,
# test_fiscal.py); the OAuth device flow's client id and code are typed by the person (public).
ELSEWHERE = {"user_id", "period_id", "notice_id", "reading_id", "building_id", "line_id", "job_id", "token_id", "pk"}
PUBLIC |= {"client_id", "user_code"}
# A messenger's webhook is reached by its secret header, not by a session; the profile's linked chats are
# walked with another user's session in bots/tests/test_isolation.py.
PUBLIC |= {"messenger", "bot_id"}
ELSEWHERE |= {"chat_id"}
# The cash desk's payments: walked by every role and another organisation's operator in office/tests/test_roles.py.
ELSEWHERE |= {"payment_id"}
# The API answers tokens, not sessions: its ids are walked with another resident's token and another
# organisation's key in api/tests/test_isolation.py.
NOT_SESSION = ("admin/", "api/")
# Views that answer only POST (the others are requested with GET).
POST_ONLY = {"appeal_close", "paid_request_cancel", "profile_receipts", "profile_unlink", "desk_take"}
DENIED = {403, 404}
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _published_account():
    """An account of an organisation whose October 2026 is published: it has a receipt to be refused."""
    account = f.PersonalAccountFactory()
    fixed = f.ServiceFactory(organisation=account.organisation, name="Обращение с ТКО", method=Service.Method.FIXED)
    f.TariffFactory(service=fixed, valid_from=dt.date(2026, 1, 1), valid_to=None, price=Decimal("123.45"))
    for month in (dt.date(2026, 9, 1), dt.date(2026, 10, 1)):
        cycle.period_close(organisation=account.organisation, month=month, force_reason="проверка доступа")
    return account


@pytest.fixture
def owned():
    """The first subscriber's objects, one of each kind a URL names, made as the pages make them."""
    link = f.AccountLinkFactory(account=_published_account())
    account, user = link.account, link.user
    meter = f.MeterFactory(premises=account.premises)
    appeal = support.appeal_create(
        user=user,
        account_id=account.pk,
        topic=Appeal.Topic.values[0],
        text="Течёт кран",
        contact="+79001234567",
        files=[SimpleUploadedFile("act.pdf", PDF, "application/pdf")],
    )
    service = PaidService.objects.create(organisation=account.organisation, name="Замена смесителя", price="1500")
    paid = support.paid_request_create(
        user=user,
        account_id=account.pk,
        service_id=service.pk,
        desired_date=account.organisation.today() + dt.timedelta(days=7),
        contact="+79001234567",
    )
    payment = Payment.objects.create(
        organisation=account.organisation,
        account=account,
        user=user,
        amount=Decimal("100.00"),
        channel=Payment.Channel.CARD,
        provider="sandbox",
        external_id="access-sweep",
        paid_on=account.organisation.today(),
        sbp_payload="https://qr.nspk.ru/AS1000000000000000000000000000000?type=02",  # its СБП page opens too
    )
    values = {
        "account_id": account.pk,
        "meter_id": meter.pk,
        "appeal_id": appeal.pk,
        "attachment_id": appeal.attachments.get().pk,
        "request_id": paid.pk,
        "link_id": link.pk,
        "order": payment.order,
        "month": "2026-10",
    }
    return {"user": user, "organisation": account.organisation, "values": {k: str(v) for k, v in values.items()}}


def id_urls(values: dict[str, str]) -> list[tuple[str, str]]:
    """(URL with the owner's ids, view name) for every non-admin URL pattern with an id parameter."""
    found = []
    for regex, view in patterns():
        if regex.startswith(NOT_SESSION):
            continue  # the register's object URLs: orgs/tests/test_admin_scope.py; the API's: see NOT_SESSION
        for fmt, params in url_forms(regex):
            if set(params) & OWNED:
                found.append(("/" + fmt % {p: values[p] for p in params}, view.__name__))
    return found


def _answer(client: Client, url: str, view: str):
    return client.post(url) if view in POST_ONLY else client.get(url)


def _refused(response) -> bool:
    """404/403, or the back office's login page for someone who is not staff (staff_member_required)."""
    to_admin_login = response.status_code == 302 and response["Location"].startswith("/admin/login/")
    return response.status_code in DENIED or to_admin_login


def test_every_id_parameter_of_every_url_is_in_the_table():
    unknown = {
        (regex, param)
        for regex, _ in patterns()
        if not regex.startswith(NOT_SESSION)
        for _, params in url_forms(regex)
        for param in params
        if param not in OWNED | PUBLIC | OPERATORS_ONLY | ELSEWHERE
    }
    assert not unknown, f"URL parameters neither owned nor public: {sorted(unknown)}"


@pytest.mark.parametrize("visitor", ["second subscriber", "other organisation's operator"])
def test_nobody_else_opens_the_subscribers_objects(owned, visitor):
    other = f.AccountLinkFactory().user if visitor == "second subscriber" else f.OperatorFactory()
    client = Client()
    client.force_login(other)
    urls = id_urls(owned["values"])
    assert {view for _, view in urls} >= {"account_card", "meter_history", "receipt_pdf", "attachment", "result"}
    answers = [(url, _answer(client, url, view)) for url, view in urls]
    opened = [(url, response.status_code) for url, response in answers if not _refused(response)]
    assert not opened, f"{visitor} was answered: {opened}"


def test_the_owner_opens_them_all(owned):
    """The control: the same URLs answer the owner (and the owner's operator) without a 404."""
    owner, operator = Client(), Client()
    owner.force_login(owned["user"])
    staff = f.OperatorFactory(organisation=owned["organisation"])
    OfficeRole.objects.create(user=staff, role=Role.ADMINISTRATOR)
    operator.force_login(staff)
    refused = []
    # Unlinking goes last: after it the account is no longer the owner's.
    for url, view in sorted(id_urls(owned["values"]), key=lambda item: item[1] == "profile_unlink"):
        client = operator if view == "admin_receipt_pdf" or url.startswith("/office/") else owner
        status = _answer(client, url, view).status_code
        if status in DENIED or status >= 500:  # a 400 is the form's answer to an empty POST, not a refusal
            refused.append((url, status))
    assert not refused, f"the owner was refused: {refused}"


def test_nobody_else_sends_readings_for_the_subscribers_meter(owned):
    """The confirmed readings form writes without reading the page first: its own access check must hold."""
    client = Client()
    client.force_login(f.AccountLinkFactory().user)
    meter_id = owned["values"]["meter_id"]
    response = client.post(
        f"/cabinet/accounts/{owned['values']['account_id']}/readings/",
        {"action": "submit", "confirm": "1", f"value_{meter_id}": "123"},
    )
    assert response.status_code == 404
    assert not Reading.objects.filter(meter_id=meter_id).exists()
