"""What a bot receives and sends, the same for every messenger: the adapters (telegram.py, max_bot.py) turn their
library's update into an Incoming and a Reply into their library's call."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Incoming:
    chat_id: str
    text: str = ""
    payload: str = ""  # the data of a pressed button
    photo_refs: tuple[str, ...] = ()  # the messenger's references to pictures sent (file ids, links)
    photos: tuple[tuple[str, bytes], ...] = ()  # those pictures, downloaded: (file name, content)


@dataclasses.dataclass
class Reply:
    text: str
    # Rows of buttons, each (label, payload).
    buttons: list[list[tuple[str, str]]] = dataclasses.field(default_factory=list)
    document: tuple[str, bytes] | None = None  # (file name, content): the receipt's PDF


MENU = [
    [("Баланс и долг", "balance"), ("Передать показания", "readings")],
    [("Квитанция", "receipt"), ("Оплатить", "pay")],
    [("Отключения", "outages"), ("Написать обращение", "appeal")],
    [("Контакты", "contacts"), ("Отвязать чат", "unlink")],
]
