"""Why a card payment was declined, in words a subscriber understands. The codes are YooKassa's documented
`cancellation_details.reason` values; the sandbox acquirer reports the same codes, so one table explains both."""

REASONS = {
    "3d_secure_failed": "Не пройдена проверка 3-D Secure: код подтверждения не введён или введён неверно.",
    "call_issuer": "Банк, выпустивший карту, отклонил платёж. Позвоните в банк по номеру на обороте карты.",
    "canceled_by_merchant": "Платёж отменён получателем.",
    "card_expired": "Истёк срок действия карты. Оплатите другой картой.",
    "country_forbidden": "Карты банка этой страны не принимаются.",
    "deal_expired": "Истёк срок сделки.",
    "expired_on_capture": "Платёж не был подтверждён вовремя и отменён.",
    "expired_on_confirmation": "Время на оплату истекло: платёж не был подтверждён на странице банка.",
    "fraud_suspected": "Платёж заблокирован банком из-за подозрения в мошенничестве.",
    "general_decline": "Банк отклонил платёж без объяснения причины. Обратитесь в банк или оплатите другой картой.",
    "identification_required": "Превышен лимит платежей для кошелька без идентификации.",
    "insufficient_funds": "Недостаточно средств на карте.",
    "internal_timeout": "Платёжный сервис не ответил вовремя. Попробуйте оплатить ещё раз.",
    "invalid_card_number": "Неверный номер карты.",
    "invalid_csc": "Неверный код CVC/CVV.",
    "issuer_unavailable": "Банк, выпустивший карту, недоступен. Попробуйте позже.",
    "payment_method_limit_exceeded": "Превышен лимит платежей по карте.",
    "payment_method_restricted": "Операции по карте запрещены банком.",
    "permission_revoked": "Разрешение на списание отозвано.",
    "unsupported_mobile_operator": "Оплата с телефона этого оператора не поддерживается.",
}
UNKNOWN = "Платёж отклонён платёжным сервисом. Попробуйте ещё раз или оплатите другой картой."


def decline_text(code: str) -> str:
    """The Russian explanation of a provider's decline code; a general one for a code we do not know."""
    return REASONS.get((code or "").strip(), UNKNOWN)
