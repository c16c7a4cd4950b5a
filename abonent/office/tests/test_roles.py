"""Every page of the office for every role: allowed → 200, forbidden → 403; and another organisation's operator
gets 404 on every URL with an id. The expected table is written out here, not read from roles.ALLOWED."""

from decimal import Decimal

import pytest

from abonent.news.models import News
from abonent.office.models import OfficeRole, Role
from abonent.payments.models import Payment
from abonent.payments.services import payment_cash_create
from abonent.users.models import User

from .conftest import make_operator
from .world import world as small_world

pytestmark = pytest.mark.django_db

A, D, U, M = Role.ACCOUNTANT, Role.DISPATCHER, Role.AUDITOR, Role.ADMINISTRATOR
ALL = {A, D, U, M}

# url (formatted with the world's ids) → the roles that may open it
PAGES = {
    "/office/": ALL,
    "/office/accounts/{account}/": ALL,
    "/office/reports/turnover/": {A, U, M},
    "/office/reports/payments/": {A, U, M},
    "/office/reports/readings/": ALL,
    "/office/debtors/": {A, U, M},
    "/office/notices/{notice}/": {A, U, M},
    "/office/readings/queue/": {D, U, M},
    "/office/readings/entry/": {D, M},
    "/office/readings/entry/{building}/": {D, M},
    "/office/inbox/": {D, U, M},
    "/office/appeals/{appeal}/": {D, U, M},
    "/office/requests/{paid}/": {D, U, M},
    "/office/audit/": {U, M},
    "/office/audit/operators/{operator}/": {U, M},
    "/office/operators/": {M},
    "/office/cycle/": {A, U, M},
    "/office/jobs/{job}/": ALL,
    "/office/jobs/{job}/status/": ALL,
    "/office/imports/registry/": {A, M},
    "/office/imports/readings/": {D, M},
    "/office/imports/unmatched/": {A, U, M},
    "/office/notices/print/?id={notice}": {A, U, M},
    "/office/cash/": {A, U, M},
    "/office/cash/accounts/{account}/": {A, U, M},
    "/office/cash/payments/{payment}/": {A, U, M},
    "/office/news/": {D, U, M},
    "/office/news/new/": {D, M},
    "/office/news/{news}/": {D, U, M},
}
# actions (POST) → the roles that may do them; a forbidden one changes nothing
ACTIONS = {
    "/office/readings/{reading}/decide/": ({"decision": "keep"}, {D, M}),
    "/office/appeals/{appeal}/": ({"text": "Показания приняты, спасибо."}, {D, M}),
    "/office/debtors/notices/": ({"account": "{account}", "kind": "pretrial"}, {A, M}),
    "/office/readings/entry/{building}/": ({}, {D, M}),
    "/office/operators/{operator}/": ({"action": "role", "role": "auditor"}, {M}),
    "/office/requests/{paid}/": ({"status": "accepted", "comment": "Мастер придёт 20.12"}, {D, M}),
    "/office/cycle/{period}/run/": ({"step": "close_readings", "reason": "Проверка закрытия показаний"}, {A, M}),
    "/office/jobs/{job}/retry/": ({}, {A, M}),  # the world's job is a failed close of the month
    "/office/imports/unmatched/{unmatched}/": ({"account": "{number}"}, {A, M}),
    "/office/cash/accounts/{account}/take/": ({"amount": "100,00", "channel": "cash", "token": "{token}"}, {A, M}),
    "/office/cash/payments/{payment}/cancel/": ({"reason": "Ошиблись счётом"}, {A, M}),
    "/office/news/new/": ({"title": "Новая", "body": "Текст", "published_on": "01.12.2026"}, {D, M}),
    "/office/news/{news}/": ({"title": "Изменённая", "body": "Текст", "published_on": "01.12.2026"}, {D, M}),
    "/office/news/{news}/state/": ({"action": "publish"}, {D, M}),
}


def world():
    """The small world with a payment taken at its cash desk today (the desk's object URLs)."""
    w = small_world()
    w["payment"] = payment_cash_create(account=w["account"], amount=Decimal("300.00"), paid_on=w["org"].today(),
                                       actor=None)  # fmt: skip
    return w


def _ids(w, operator):
    return {"account": w["account"].pk, "notice": w["notice"].pk, "building": w["building"].pk,
            "appeal": w["appeal"].pk, "paid": w["paid"].pk, "reading": w["reading"].pk,
            "operator": operator.pk, "period": w["period"].pk, "job": w["job"].pk,
            "unmatched": w["unmatched"].pk, "number": w["account"].number, "payment": w["payment"].pk,
            "news": w["news"].pk, "token": "6f1c2a4e-0b7d-4c59-9a3e-2d8f5b1e7c40"}  # fmt: skip


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize("url", sorted(PAGES))
def test_every_role_on_every_page(client, role, url):
    w = world()
    user = make_operator(w["org"], role)
    colleague = make_operator(w["org"], Role.DISPATCHER)
    client.force_login(user)
    response = client.get(url.format(**_ids(w, colleague)))
    assert response.status_code == (200 if role in PAGES[url] else 403), response.content[:300]
    if response.status_code == 403:
        assert "недоступн" in response.content.decode()


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize("url", sorted(ACTIONS))
def test_every_role_on_every_action(client, role, url):
    w = world()
    user = make_operator(w["org"], role)
    colleague = make_operator(w["org"], Role.DISPATCHER)
    client.force_login(user)
    ids = _ids(w, colleague)
    data, allowed = ACTIONS[url]
    response = client.post(url.format(**ids), {k: v.format(**ids) for k, v in data.items()})
    if role in allowed:
        assert response.status_code in (200, 302), response.content[:300]
    else:
        assert response.status_code == 403
        assert OfficeRole.objects.get(user=colleague).role == Role.DISPATCHER
        w["appeal"].refresh_from_db()
        assert w["appeal"].status == "new"
        assert not w["account"].debt_notices.filter(kind="pretrial").exists()
        w["paid"].refresh_from_db()
        assert w["paid"].status == "new"
        w["period"].refresh_from_db()
        assert w["period"].state == "open"
        w["job"].refresh_from_db()
        assert w["job"].state == "failed"
        w["unmatched"].refresh_from_db()
        assert w["unmatched"].payment_id is None
        _nothing_changed_at_the_desk_or_in_the_news(w)


def _nothing_changed_at_the_desk_or_in_the_news(w):
    assert list(Payment.objects.filter(organisation=w["org"]).values_list("pk", "status")) == [
        (w["payment"].pk, "credited")
    ]
    assert list(News.objects.filter(organisation=w["org"]).values_list("pk", "title", "is_published", "pinned")) == [
        (w["news"].pk, "Плановое отключение воды", False, False)
    ]


@pytest.mark.parametrize("url", sorted(u for u in set(PAGES) | set(ACTIONS) if "{" in u))
def test_another_organisations_operator_gets_404_on_every_object_url(client, url):
    w = world()
    colleague = make_operator(w["org"], Role.DISPATCHER)
    stranger = make_operator(world()["org"], Role.ADMINISTRATOR)  # may do everything, in their own organisation
    client.force_login(stranger)
    ids = _ids(w, colleague)
    target = url.format(**ids)
    if url in ACTIONS and "notices" not in url:
        data = {k: v.format(**ids) for k, v in ACTIONS[url][0].items()}  # what the owner's operator would send
        response = client.post(target, {"decision": "keep", "text": "x" * 20, "action": "deactivate", **data})
    else:
        response = client.get(target)
    assert response.status_code == 404
    colleague.refresh_from_db()
    assert colleague.is_active
    _nothing_changed_at_the_desk_or_in_the_news(w)


def test_a_stranger_posting_another_organisations_debtor_writes_no_letter(client):
    w = world()
    stranger = make_operator(world()["org"], Role.ADMINISTRATOR)
    client.force_login(stranger)
    client.post("/office/debtors/notices/", {"account": w["account"].pk, "kind": "pretrial"})
    assert not w["account"].debt_notices.filter(kind="pretrial").exists()


def test_an_operator_without_a_role_is_an_auditor(client):
    w = world()
    user = make_operator(w["org"], None)
    client.force_login(user)
    assert client.get("/office/debtors/").status_code == 200
    assert client.post(f"/office/readings/{w['reading'].pk}/decide/", {"decision": "keep"}).status_code == 403


def test_not_an_operator_is_refused_and_anonymous_goes_to_login(client):
    w = world()
    assert client.get("/office/").status_code == 302
    client.force_login(w["subscriber"])
    response = client.get("/office/")
    assert response.status_code == 403
    assert "только сотрудникам" in response.content.decode()


def test_a_superuser_names_an_office_role_in_the_admin_and_an_operator_cannot(client):
    w = world()
    operator = make_operator(w["org"], None)
    client.force_login(make_operator(w["org"], Role.ADMINISTRATOR))
    assert client.get("/admin/office/officerole/").status_code == 403
    root = User.objects.create_superuser("root", "root@example.ru", "pass-2026-word")
    client.force_login(root)
    assert client.get("/admin/office/officerole/").status_code == 200
    response = client.post("/admin/office/officerole/add/", {"user": operator.pk, "role": "administrator"})
    assert response.status_code == 302
    assert OfficeRole.objects.get(user=operator).set_by == root
