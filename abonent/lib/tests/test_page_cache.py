"""The page cache's mechanism (lib.page_cache); the cached pages themselves: portal/tests/test_page_cache.py."""

from abonent.lib import page_cache


def test_nothing_is_cached_without_a_source_of_figures_versions(settings):
    settings.SUBSCRIBER_PAGE_CACHE = True
    registered = page_cache._source
    assert registered is not None and page_cache.enabled()  # billing registers its figures at start-up
    try:
        page_cache.register_source(None)
        assert not page_cache.enabled()  # a page whose figures nobody can version is never served stale
    finally:
        page_cache.register_source(registered)
