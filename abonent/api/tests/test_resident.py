"""The resident endpoints answer what the cabinet's pages show, through the same services."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from abonent.billing import statements
from abonent.metering.models import Reading
from abonent.news.models import News
from abonent.payments.models import Payment
from abonent.support.models import Appeal, PaidService

from .conftest import IN_WINDOW, PNG

pytestmark = pytest.mark.django_db


def test_me_and_accounts_with_debt_and_balance(resident):
    me = resident.read.get("/api/v1/me/").json()
    assert me["username"] == resident.user.username and me["token_scope"] == "read"
    accounts = resident.read.get("/api/v1/accounts/").json()
    assert [a["id"] for a in accounts] == [resident.account.pk]
    one = resident.read.get(f"/api/v1/accounts/{resident.account.pk}/").json()
    assert one == accounts[0]
    assert D(one["debt"]) == statements.debt_of(resident.account)
    assert one["payer"] == "Муравьев Сергей *****ВИЧ"  # masked, as on the card
    assert one["last_balance"]["month"] == f"{resident.period.month:%Y-%m-%d}"


def test_charges_of_a_month_are_the_cards_lines(resident):
    url = f"/api/v1/accounts/{resident.account.pk}/charges/"
    last = resident.read.get(url).json()
    card = statements.last_month(resident.account)
    assert [line["service"] for line in last["lines"]] == [r.service for r in card.rows]
    assert D(last["total"]) == card.total
    january = resident.read.get(url, {"month": "2024-01"}).json()
    assert january["month"] == "2024-01-01"
    missing = resident.read.get(url, {"month": "2030-01"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_published"
    bad = resident.read.get(url, {"month": "январь"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_month"
    assert "ГГГГ-ММ" in bad.json()["error"]["message"]


def test_movement_by_months(resident):
    url = f"/api/v1/accounts/{resident.account.pk}/movement/"
    body = resident.read.get(url, {"from": "2024-01", "to": "2024-03"}).json()
    result = statements.movement(resident.account, dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    assert len(body["months"]) == 3 and D(body["closing"]) == result.closing and D(body["paid"]) == result.paid
    reversed_range = resident.read.get(url, {"from": "2024-03", "to": "2024-01"})
    assert reversed_range.status_code == 400 and reversed_range.json()["error"]["code"] == "bad_range"


def test_receipts_list_and_pdf(resident):
    items = resident.read.get(f"/api/v1/accounts/{resident.account.pk}/receipts/").json()
    assert [i["month"] for i in items] == ["2024-03-01", "2024-02-01", "2024-01-01"]
    pdf = resident.read.get(items[0]["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert resident.read.get(f"/api/v1/accounts/{resident.account.pk}/receipts/2030-01/pdf/").status_code == 404


def test_meters_and_history(resident):
    with time_machine.travel(IN_WINDOW):
        page = resident.read.get(f"/api/v1/accounts/{resident.account.pk}/meters/").json()
    assert page["window_open"] is True and page["can_submit"] is True
    assert [m["id"] for m in page["meters"]] == [resident.meter.pk]
    history = resident.read.get(f"/api/v1/accounts/{resident.account.pk}/meters/{resident.meter.pk}/readings/")
    assert history.status_code == 200 and len(history.json()["months"]) == 24


def _readings(resident, value="15,5", **extra):
    return {"readings": [{"meter": resident.meter.pk, "value": value}], **extra}


@time_machine.travel(IN_WINDOW, tick=False)
def test_calculate_previews_and_saves_nothing(resident):
    url = f"/api/v1/accounts/{resident.account.pk}/readings/calculate/"
    answer = resident.write.post(url, _readings(resident), format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["readings"][0]["consumption"] == "15.5"
    assert not Reading.objects.exists()
    wrong = resident.write.post(url, _readings(resident, "abc"), format="json")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["readings"][0]["meter"] == resident.meter.pk


@time_machine.travel(IN_WINDOW, tick=False)
def test_submit_needs_the_confirmation_then_saves(resident):
    url = f"/api/v1/accounts/{resident.account.pk}/readings/"
    unconfirmed = resident.write.post(url, _readings(resident), format="json")
    assert unconfirmed.status_code == 409
    assert unconfirmed.json()["error"]["code"] == "confirmation_required"
    assert unconfirmed.json()["error"]["preview"]["readings"][0]["consumption"] == "15.5"
    assert not Reading.objects.exists()
    saved = resident.write.post(url, _readings(resident, confirm=True), format="json")
    assert saved.status_code == 201, saved.json()
    reading = Reading.objects.get()
    assert reading.value == D("15.5") and reading.submitted_by == resident.user
    assert reading.channel == Reading.Channel.PORTAL  # the cabinet's own channel: the same window and checks
    wrong = resident.write.post(url, _readings(resident, "12,3456789", confirm=True), format="json")
    assert wrong.status_code == 400 and Reading.objects.count() == 1
    assert wrong.json()["error"]["code"] == "too_many_decimals"  # metering.checks, as on the page


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_repeated_idempotency_key_returns_the_first_answer_and_saves_once(resident):
    url = f"/api/v1/accounts/{resident.account.pk}/readings/"
    first = resident.write.post(url, _readings(resident, confirm=True), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = resident.write.post(url, _readings(resident, confirm=True), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Reading.objects.count() == 1
    other = resident.write.post(url, _readings(resident, "16", confirm=True), format="json",
                                HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Reading.objects.count() == 1


def test_readings_outside_the_window_are_refused(resident):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), tick=False):
        answer = resident.write.post(f"/api/v1/accounts/{resident.account.pk}/readings/",
                                     _readings(resident, confirm=True), format="json")  # fmt: skip
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "window"  # readings_submit's own refusal
    assert "Показания принимаются с" in answer.json()["error"]["message"]
    assert not Reading.objects.exists()


def test_pay_creates_a_payment_once_per_idempotency_key(resident):
    body = {"items": [{"account": resident.account.pk, "amount": "500,00"}]}
    first = resident.write.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert first.status_code == 201, first.json()
    assert first.json()["confirmation_url"] and first.json()["payments"][0]["amount"] == "500.00"
    again = resident.write.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert again.json() == first.json()
    assert Payment.objects.count() == 1
    order = resident.read.get(f"/api/v1/payments/orders/{first.json()['order']}/")
    assert order.status_code == 200 and order.json()["payments"][0]["id"] == Payment.objects.get().pk
    listed = resident.read.get("/api/v1/payments/", {"from": "2000-01-01"}).json()
    assert listed["count"] == 1 and listed["results"][0]["order"] == first.json()["order"]


def test_pay_refuses_bad_amounts_and_foreign_accounts(resident, stranger):
    bad = resident.write.post("/api/v1/payments/", {"items": [{"account": resident.account.pk, "amount": "-1"}]},
                              format="json")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_amount"
    foreign = resident.write.post("/api/v1/payments/", {"items": [{"account": stranger.account.pk, "amount": "10"}]},
                                  format="json")  # fmt: skip
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "account_not_found"
    assert not Payment.objects.exists()


def test_appeal_with_an_attachment(resident):
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    answer = resident.write.post(
        "/api/v1/appeals/",
        {"account": resident.account.pk, "topic": "quality", "text": "Нет горячей воды", "contact": "+79000000000",
         "files": [upload]},
        format="multipart",
    )  # fmt: skip
    assert answer.status_code == 201, answer.json()
    appeal = Appeal.objects.get()
    detail = resident.read.get(f"/api/v1/appeals/{appeal.pk}/").json()
    attachment = detail["messages"][0]["attachments"][0]
    assert attachment["name"] == "photo.png"
    assert resident.read.get(attachment["url"]).getvalue() == PNG
    reply = resident.write.post(f"/api/v1/appeals/{appeal.pk}/messages/", {"text": "Уже третий день"}, format="json")
    assert reply.status_code == 201 and len(reply.json()["messages"]) == 2
    assert resident.read.get("/api/v1/appeals/").json()["count"] == 1
    empty = resident.write.post("/api/v1/appeals/", {"account": resident.account.pk, "topic": "nope", "text": "x",
                                                     "contact": "x"}, format="json")  # fmt: skip
    assert empty.status_code == 400 and "topic" in empty.json()["error"]["fields"]


def test_paid_service_request(resident):
    service = PaidService.objects.create(organisation=resident.org, name="Замена смесителя", price=D("1500"))
    assert [s["id"] for s in resident.read.get("/api/v1/paid-services/").json()] == [service.pk]
    desired = resident.org.today() + dt.timedelta(days=3)
    answer = resident.write.post("/api/v1/paid-requests/", {"account": resident.account.pk, "service": service.pk,
                                 "desired_date": f"{desired:%Y-%m-%d}", "contact": "+79000000000"}, format="json")  # fmt: skip
    assert answer.status_code == 201, answer.json()
    assert resident.read.get(f"/api/v1/paid-requests/{answer.json()['id']}/").json()["service"] == "Замена смесителя"
    past = resident.write.post("/api/v1/paid-requests/", {"account": resident.account.pk, "service": service.pk,
                               "desired_date": "2020-01-01", "contact": "x"}, format="json")  # fmt: skip
    assert past.status_code == 400 and "desired_date" in past.json()["error"]["fields"]


def test_news_and_outages(resident):
    News.objects.create(organisation=resident.org, title="Опрессовка", body="Текст", published_on=dt.date(2024, 5, 1))
    News.objects.create(organisation=resident.org, title="Будущая", body="Текст", published_on=dt.date(2099, 1, 1))
    body = resident.read.get("/api/v1/news/").json()
    assert [n["title"] for n in body["results"]] == ["Опрессовка"]  # a future item is not there yet
    assert resident.read.get("/api/v1/news/", {"from": "2024-06-01"}).json()["count"] == 0
    assert resident.read.get("/api/v1/outages/").json() == {"current": [], "recent": []}
