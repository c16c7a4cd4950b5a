"""A file made by a background job, fetched as an operator does: press the export button (the request queues the
job and answers with its page, or back to the list with a link to it), the job runs once the request's
transaction commits (the test's worker: Celery eager), then the page's download link gives the file."""

from __future__ import annotations

import re

LINK = re.compile(r'href="(/[^"]*/jobs/\d+/)"')
FILE = re.compile(r'href="(/[^"]*/jobs/\d+/file/)"')


def job_download(client, capture, method: str, url: str, data=None) -> bytes:
    """`capture`: pytest-django's django_capture_on_commit_callbacks."""
    with capture(execute=True):
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"], follow=True).content.decode()
    if not FILE.search(page):  # an admin action: back on the list, whose message links to the job
        page = client.get(LINK.search(page).group(1)).content.decode()
    found = FILE.search(page)
    assert found, page[:3000]
    download = client.get(found.group(1))
    assert download.status_code == 200
    return b"".join(download.streaming_content)
