from django.db import models
from django.utils.translation import gettext_lazy as _

from abonent.orgs.models import Organisation


class News(models.Model):
    """An organisation's news item: shown from its publication date (the organisation's local date), pinned first."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="news", verbose_name=_("организация"))
    title = models.CharField(_("заголовок"), max_length=200)
    body = models.TextField(_("текст"), help_text=_("Обычный текст; пустая строка начинает новый абзац."))
    published_on = models.DateField(_("опубликовать с"), help_text=_("До этой даты новость не видна абонентам."))
    pinned = models.BooleanField(_("закрепить вверху"), default=False)
    # A draft or an item taken down is kept (what was said stays on record) but not shown to anyone.
    is_published = models.BooleanField(_("опубликована"), default=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        verbose_name = _("новость")
        verbose_name_plural = _("новости")
        ordering = ["-pinned", "-published_on", "-id"]
        indexes = [models.Index(fields=["organisation", "published_on"], name="news_org_published_idx")]

    def __str__(self) -> str:
        return self.title
