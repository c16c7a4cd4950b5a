from django.core.management.base import BaseCommand, CommandError

from abonent.bots import polling
from abonent.bots.models import Bot


class Command(BaseCommand):
    help = "Сообщить мессенджеру адрес вебхука бота и секрет (setWebhook в Telegram, POST /subscriptions в MAX)."

    def add_arguments(self, parser):
        parser.add_argument("bot_id", type=int)

    def handle(self, *args, bot_id, **options):
        bot = Bot.objects.filter(pk=bot_id).first()
        if bot is None:
            raise CommandError(f"Бота с номером {bot_id} нет.")
        try:
            url = polling.set_webhook(bot)
        except Exception as exc:  # the messenger's refusal (a wrong token, an unreachable URL) in the operator's words
            raise CommandError(f"Мессенджер не принял вебхук: {exc}") from exc
        self.stdout.write(f"Вебхук бота {bot} установлен: {url}")
