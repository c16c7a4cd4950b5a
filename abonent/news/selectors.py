"""Published news: each organisation's items whose date has come in that organisation's own time zone."""

from django.db.models import Q, QuerySet

from abonent.orgs.models import Organisation

from .models import News


def published(organisations: list[Organisation]) -> QuerySet[News]:
    """News of `organisations` published (not a draft, not taken down) by each one's local today, pinned first,
    newest next."""
    condition = Q(pk__in=[])
    for org in organisations:
        condition |= Q(organisation=org, published_on__lte=org.today())
    return (
        News.objects.filter(condition, is_published=True)
        .select_related("organisation")
        .order_by("-pinned", "-published_on", "-id")
    )
