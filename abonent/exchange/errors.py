class ExchangeRefused(Exception):
    """A file refused whole: `errors` are Russian sentences, each naming its line where there is one."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = errors[:20]
        more = f" (и ещё {len(errors) - len(shown)})" if len(errors) > len(shown) else ""
        super().__init__("Файл не загружен, ничего не изменено: " + "; ".join(shown) + more)
