from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "abonent.exchange"
    verbose_name = "Обмен с биллингом"
