"""The resident themself, news and outages: the news the public pages show, the outages of the resident's houses
as "Мои отключения"."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from abonent.lib.inputs import parse_id
from abonent.news import selectors as news
from abonent.orgs.selectors import organisation_list
from abonent.outages import selectors as outages

from . import serializers
from .base import FROM, PAGE, READ_ERRORS, TO, ApiView, date_range, page_of, paginated
from .permissions import resident_scope


class Me(ApiView):
    @extend_schema(tags=["Профиль"], summary="Кто я", responses={200: serializers.Me, **READ_ERRORS})
    def get(self, request):
        user = request.user
        data = {"id": user.pk, "get_username": user.get_username(), "email": user.email, "phone": user.phone}
        data["token_scope"] = resident_scope(request.auth)
        return Response(serializers.Me(data).data)


ORG = OpenApiParameter("org", str, required=False, description="Код организации")


class NewsList(ApiView):
    @extend_schema(
        tags=["Новости"], operation_id="news_list", summary="Новости", parameters=[ORG, FROM, TO, *PAGE],
        responses={200: page_of(serializers.NewsOut), **READ_ERRORS},
    )  # fmt: skip
    def get(self, request):
        organisations = organisation_list()
        code = request.query_params.get("org")
        if code:
            organisations = [o for o in organisations if o.code == code]
        items = date_range(news.published(organisations), request, "published_on")
        return paginated(request, items, serializers.NewsOut, self)


class NewsDetail(ApiView):
    @extend_schema(tags=["Новости"], summary="Новость", responses={200: serializers.NewsOut, **READ_ERRORS})
    def get(self, request, news_id):
        item = news.published(organisation_list()).filter(pk=parse_id(news_id)).first() if parse_id(news_id) else None
        if item is None:
            raise Http404
        return Response(serializers.NewsOut(item).data)


class Outages(ApiView):
    @extend_schema(tags=["Отключения"], summary="Отключения в моих домах",
                   responses={200: serializers.Outages, **READ_ERRORS})  # fmt: skip
    def get(self, request):
        current = outages.user_current(request.user)
        recent = outages.user_recent(request.user)
        addresses = outages.user_addresses(request.user, current + recent)
        for outage in current + recent:
            outage.addresses = addresses.get(outage.pk, [])
        return Response(serializers.Outages({"current": current, "recent": recent}).data)
