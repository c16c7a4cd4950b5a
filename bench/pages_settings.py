"""Settings for bench/pages.py: the project's, with the URLconf that adds the trivial view."""

from abonent.settings import *  # noqa: F403

ROOT_URLCONF = "bench.pages_urls"
