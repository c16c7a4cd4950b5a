from django.core.management.base import BaseCommand, CommandError

from abonent.bots import polling
from abonent.bots.models import Bot


class Command(BaseCommand):
    help = "Получать обновления бота длинным опросом (для разработки: публичный адрес не нужен)."

    def add_arguments(self, parser):
        parser.add_argument("bot_id", type=int)
        parser.add_argument("--polling", action="store_true", required=True, help="длинный опрос мессенджера")
        parser.add_argument("--until-empty", action="store_true", help="остановиться, когда обновлений не осталось")

    def handle(self, *args, bot_id, until_empty, **options):
        bot = Bot.objects.filter(pk=bot_id, enabled=True).first()
        if bot is None:
            raise CommandError(f"Включённого бота с номером {bot_id} нет.")
        self.stdout.write(f"Бот {bot}: длинный опрос, Ctrl+C — остановить.")
        handled = polling.poll(bot, until_empty=until_empty)
        self.stdout.write(f"Обработано обновлений: {handled}")
