"""An id in an API path: any segment reaches the view, which asks access (parse_id: another's, missing or no id
at all answers the same JSON 404). Django's <int:> would answer a "-1" or a 30-digit id with an HTML page."""


class AnyId:
    regex = "[^/]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)
