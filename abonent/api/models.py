"""Who calls the API and what it has already answered: personal access tokens of residents, API keys of
organisations, the stored answers of idempotent POSTs, and organisations' webhooks with their delivery log.

A token or a key is shown once when created and stored only as its SHA-256 digest: it is 32 random bytes, so a
slow password hash would add nothing but time to every request."""

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    READ = "read", "Только чтение"
    WRITE = "write", "Чтение и запись"


class AccessToken(models.Model):
    """A resident's personal access token: acts as the user, on exactly what the user sees in the cabinet."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("название", max_length=100)
    prefix = models.CharField("начало токена", max_length=16)  # shown in the list to tell tokens apart
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField("права", max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True)
    revoked_at = models.DateTimeField("отозван", null=True, blank=True)

    class Meta:
        verbose_name = "токен доступа"
        verbose_name_plural = "токены доступа"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class OrgScope(models.TextChoices):
    REGISTER = "register", "Реестр: чтение"
    READINGS = "readings", "Выгрузка показаний"
    IMPORT = "import", "Загрузка из внешнего биллинга: месяц и реестр"
    PAYMENTS = "payments", "Выгрузка платежей"


class OrgApiKey(models.Model):
    """An organisation's key for its own systems: the organisation's register and exports, nothing of another."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField("название", max_length=100)
    prefix = models.CharField("начало ключа", max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField("права", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    revoked_at = models.DateTimeField("отозван", null=True, blank=True)

    class Meta:
        verbose_name = "API-ключ организации"
        verbose_name_plural = "API-ключи организаций"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class IdempotentAnswer(models.Model):
    """The first answer to a POST with an Idempotency-Key: a repeat of the key gets it again, nothing is redone."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(OrgApiKey, null=True, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # method, path and body: the same key for another request is refused
    status = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotent_user_key"),
            models.UniqueConstraint(fields=["api_key", "key"], name="api_idempotent_apikey_key"),
        ]

    def __str__(self):
        return self.key


class Event(models.TextChoices):
    READING_SUBMITTED = "reading.submitted", "Передано показание"
    PAYMENT_CREDITED = "payment.credited", "Зачислен платёж"
    APPEAL_CREATED = "appeal.created", "Новое обращение"
    APPEAL_ANSWERED = "appeal.answered", "Ответ на обращение"
    PERIOD_PUBLISHED = "period.published", "Опубликован период"


class WebhookEndpoint(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField("адрес", max_length=500)
    secret = models.CharField("секрет подписи (HMAC-SHA256)", max_length=100)
    events = models.JSONField("события", default=list)
    is_active = models.BooleanField("включён", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "вебхук"
        verbose_name_plural = "вебхуки"

    def __str__(self):
        return self.url


class Delivery(models.Model):
    """One event for one endpoint: retried with back-off until the receiver answers 2xx, then never again."""

    class Status(models.TextChoices):
        PENDING = "pending", "Ожидает"
        DELIVERED = "delivered", "Доставлено"
        FAILED = "failed", "Не доставлено"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Event.choices)
    event_id = models.CharField(max_length=80)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "доставка вебхука"
        verbose_name_plural = "журнал доставки вебхуков"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="api_delivery_once")]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id}"
