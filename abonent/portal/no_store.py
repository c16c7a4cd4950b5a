"""Nothing personal stays in a browser's or a proxy's cache: every response to a logged-in user (the cabinet,
receipts, PDFs, exports, the back office) is marked no-store, so the next person at a shared computer cannot
bring it back with the Back button or from the disk cache."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
        return response
