"""Writes of news: an organisation's item saved (a new one is a draft until published), published, taken down,
pinned. The portal and the API show what `selectors.published` returns; these only change the row."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from .forms import NewsForm
from .models import News


def news_save(*, organisation, form: NewsForm) -> News:
    """The item of a valid NewsForm saved: a new one is a draft of `organisation` until published; an edit keeps
    its state. An item of another organisation is refused."""
    item = form.instance
    if item.pk is not None and item.organisation_id != organisation.pk:
        raise ValidationError("Это новость другой организации.")
    if not form.is_valid():
        raise ValidationError("Новость не записана: исправьте ошибки в полях.")
    saved = form.save(commit=False)
    if item.pk is None:
        saved.organisation = organisation
        saved.is_published = False
    saved.save()
    return saved


def news_set_published(*, item: News, published: bool) -> News:
    with transaction.atomic():
        News.objects.filter(pk=item.pk).update(is_published=published)
    item.refresh_from_db()
    return item


def news_set_pinned(*, item: News, pinned: bool) -> News:
    News.objects.filter(pk=item.pk).update(pinned=pinned)
    item.refresh_from_db()
    return item
