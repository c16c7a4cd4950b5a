import pytest
from django.core import mail
from django.urls import reverse

from abonent.news.models import News
from abonent.support import services
from abonent.support.models import Appeal, AppealMessage, AppealTemplate, PaidService, PaidServiceRequest
from abonent.testing.factories import OperatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeal(subscriber, account):
    return services.appeal_create(user=subscriber, account_id=account.pk, topic="readings", text="Вопрос", contact="x")


@pytest.fixture
def foreign_appeal(stranger):
    link = stranger.account_links.get()
    return services.appeal_create(user=stranger, account_id=link.account_id, topic="other", text="Чужое", contact="y")


def _change_data(appeal, **extra):
    return {"assignee": "", "status": appeal.status, "reply_template": "", "reply": "", "note": "", **extra}


def test_inbox_shows_own_org_only_and_404_for_others(client, operator, appeal, foreign_appeal):
    client.force_login(operator)
    listing = client.get(reverse("admin:support_appeal_changelist")).content.decode()
    assert f">{appeal.pk}<" in listing and "Чужое" not in listing
    assert client.get(reverse("admin:support_appeal_change", args=[appeal.pk])).status_code == 200
    assert client.get(reverse("admin:support_appeal_change", args=[foreign_appeal.pk])).status_code == 404
    filtered = client.get(reverse("admin:support_appeal_changelist") + "?status=new&topic=readings&age=1")
    assert filtered.status_code == 200 and f">{appeal.pk}<" in filtered.content.decode()
    old = client.get(reverse("admin:support_appeal_changelist") + "?age=old").content.decode()
    assert f">{appeal.pk}<" not in old


def test_reply_from_template_note_and_assign_in_admin(
    client, operator, appeal, subscriber, django_capture_on_commit_callbacks
):
    colleague = OperatorFactory(organisation=operator.organisation)
    template = AppealTemplate.objects.create(
        organisation=operator.organisation, title="Показания", text="Показания приняты."
    )
    client.force_login(operator)
    url = reverse("admin:support_appeal_change", args=[appeal.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, _change_data(appeal, assignee=colleague.pk, reply_template=template.pk, note="Звонил <i>абонент</i>")
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ANSWERED and appeal.assignee == colleague
    kinds = list(appeal.messages.values_list("kind", "text"))
    assert (AppealMessage.Kind.REPLY, "Показания приняты.") in kinds
    assert (AppealMessage.Kind.NOTE, "Звонил <i>абонент</i>") in kinds
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [subscriber.email]
    page = client.get(url).content.decode()
    assert "&lt;i&gt;абонент&lt;/i&gt;" in page and "абонент не видит" in page


def test_assignee_of_another_org_refused(client, operator, appeal, other_operator):
    client.force_login(operator)
    url = reverse("admin:support_appeal_change", args=[appeal.pk])
    response = client.post(url, _change_data(appeal, assignee=other_operator.pk))
    assert response.status_code == 200
    appeal.refresh_from_db()
    assert appeal.assignee is None


def test_paid_request_admin_and_news_editor(client, operator, subscriber, account, stranger):
    service = PaidService.objects.create(organisation=account.organisation, name="Вызов сантехника", price=500)
    paid = services.paid_request_create(
        user=subscriber,
        account_id=account.pk,
        service_id=service.pk,
        desired_date=account.organisation.today(),
        contact="x",
    )
    other_account = stranger.account_links.get().account
    other_service = PaidService.objects.create(organisation=other_account.organisation, name="Чужая", price=1)
    foreign = services.paid_request_create(
        user=stranger,
        account_id=other_account.pk,
        service_id=other_service.pk,
        desired_date=other_account.organisation.today(),
        contact="y",
    )
    client.force_login(operator)
    assert client.get(reverse("admin:support_paidservicerequest_change", args=[foreign.pk])).status_code == 404
    response = client.post(
        reverse("admin:support_paidservicerequest_change", args=[paid.pk]),
        {"status": "accepted", "price": "650,00", "scheduled_date": "", "assignee": "", "operator_comment": "Придём"},
    )
    assert response.status_code == 302
    paid.refresh_from_db()
    assert paid.status == PaidServiceRequest.Status.ACCEPTED and paid.price == 650 and paid.operator_comment == "Придём"
    response = client.post(
        reverse("admin:news_news_add"),
        {"title": "Отключение воды", "body": "12 ноября", "published_on": "01.11.2026", "pinned": "on"},
    )
    assert response.status_code == 302
    assert News.objects.get().organisation == operator.organisation


def test_operator_group_may_work_the_inbox(client, appeal):
    # A fresh operator, with only the operators' group: the inbox is in the back office's menu.
    operator = OperatorFactory(organisation=appeal.organisation)
    client.force_login(operator)
    assert "support/appeal/" in client.get("/admin/").content.decode()


def test_links_from_cabinet_and_profile(client, subscriber):
    client.force_login(subscriber)
    assert reverse("support:appeals") in client.get(reverse("users:cabinet")).content.decode()
    assert reverse("notifications:settings") in client.get(reverse("users:profile")).content.decode()
