"""The fixed demo logins: created by `seed_demo`, printed by `demo_logins`, listed in the README."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    first_name: str = ""
    last_name: str = ""


ADMIN = DemoLogin("admin", "admin-2026", "администратор (видит все организации)", "Администратор", "Демо")
OPERATOR = DemoLogin("operator", "operator-2026", "оператор управляющей компании", "Ольга", "Операторова")
VODOKANAL_OPERATOR = DemoLogin("vodokanal", "vodokanal-2026", "оператор водоканала", "Виктор", "Водников")
DEMO_SUBSCRIBER = DemoLogin("demo", "demo-2026", "абонент (лицевые счета в обеих организациях)", "Дмитрий", "Демин")
DEMO_LOGINS = (ADMIN, OPERATOR, VODOKANAL_OPERATOR, DEMO_SUBSCRIBER)
DEMO_USERNAMES = tuple(login.username for login in DEMO_LOGINS)
