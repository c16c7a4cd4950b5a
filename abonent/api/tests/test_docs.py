"""The schema and the interactive docs are served by the site itself: no CDN, nothing inline the CSP refuses."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_schema_and_docs_are_local(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources), sources
    assert "<script>" not in html.replace(" ", "")  # the Swagger UI start-up script is a file of its own
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
