"""Pages of 50 by default (?page=, ?page_size= up to 200): the answer carries count, next and previous."""

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "Такой страницы нет."
