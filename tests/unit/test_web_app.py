"""create_app builds the ingest function's app from what it is given: the settings and
the adapters reach the routes through the app, never through module globals, so two apps
in one process keep their own and building one creates no client."""

from __future__ import annotations

from shared.runtime.bootstrap import Adapters
from shared.runtime.config import Settings
from shared.web.app import create_app

BROWSER = {"Accept": "text/html"}


def _no_adapters() -> Adapters:
    raise AssertionError("this request needs no adapters, and building the app asks for none")


def test_each_app_links_its_pages_under_its_own_public_url():
    mounted = create_app(Settings(public_base_url="https://gm.example.org/ingest"), _no_adapters)
    local = create_app(Settings(public_base_url="http://127.0.0.1:8701"), _no_adapters)
    under_ingest = mounted.test_client().get("/nowhere", headers=BROWSER)
    at_root = local.test_client().get("/nowhere", headers=BROWSER)
    assert under_ingest.status_code == at_root.status_code == 404
    assert 'href="/ingest/projects?lang=en"' in under_ingest.get_data(as_text=True)
    assert 'href="/projects?lang=en"' in at_root.get_data(as_text=True)


def test_building_an_app_asks_for_no_adapters_and_its_health_check_needs_none():
    app = create_app(Settings(), _no_adapters)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
