"""The objects an operator may open in the office: their own organisation's, found by id; anything else —
another organisation's, or no such id — is a 404, exactly as in the admin (orgs.admin_scope)."""

from __future__ import annotations

from django.http import Http404

from abonent.housing.models import Building, PersonalAccount
from abonent.lib.inputs import parse_id
from abonent.metering.models import Reading
from abonent.news.models import News
from abonent.payments.models import Payment, UnmatchedLine
from abonent.support.models import Appeal, PaidServiceRequest
from abonent.users.models import User

from .models import DebtNotice


def _found(queryset, object_id):
    pk = parse_id(object_id)
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404("Не найдено")
    return found


def account_for(organisation, account_id) -> PersonalAccount:
    queryset = PersonalAccount.objects.filter(organisation=organisation).select_related("premises__building")
    return _found(queryset, account_id)


def building_for(organisation, building_id) -> Building:
    return _found(Building.objects.filter(organisation=organisation), building_id)


def reading_for(organisation, reading_id) -> Reading:
    queryset = Reading.objects.filter(meter__premises__building__organisation=organisation) | Reading.objects.filter(
        meter__building__organisation=organisation
    )
    return _found(queryset.select_related("meter"), reading_id)


def appeal_for(organisation, appeal_id) -> Appeal:
    queryset = Appeal.objects.filter(organisation=organisation).select_related("account", "author", "organisation")
    return _found(queryset, appeal_id)


def paid_request_for(organisation, request_id) -> PaidServiceRequest:
    queryset = PaidServiceRequest.objects.filter(organisation=organisation).select_related("service", "account")
    return _found(queryset, request_id)


def notice_for(organisation, notice_id) -> DebtNotice:
    queryset = DebtNotice.objects.filter(organisation=organisation).select_related("account__premises__building")
    return _found(queryset, notice_id)


def operator_for(organisation, user_id) -> User:
    return _found(User.objects.filter(organisation=organisation, is_staff=True), user_id)


def unmatched_for(organisation, line_id) -> UnmatchedLine:
    return _found(UnmatchedLine.objects.filter(organisation=organisation), line_id)


def payment_for(organisation, payment_id) -> Payment:
    queryset = Payment.objects.filter(organisation=organisation).select_related("account__premises__building")
    return _found(queryset, payment_id)


def news_for(organisation, news_id) -> News:
    return _found(News.objects.filter(organisation=organisation), news_id)
