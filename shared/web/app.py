"""The ingest function's Flask app: the JSON API, the site's pages and the links in
emails, as three blueprints on one app, with the edge written once around them
(correlation ids, rate limits, errors as JSON or as the site's error page).

Each route reads like its contract: authenticate, parse into a model, call the service,
answer with the stored id or a page. Web forms are parsed into the JSON API's own models
and handled by the same services.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from shared.runtime.bootstrap import Adapters
from shared.runtime.config import Settings
from shared.web.api import api
from shared.web.context import EXTENSION, WebContext
from shared.web.correlation import install_correlation
from shared.web.error_mapping import install_error_handlers
from shared.web.form_tokens import FormTokens
from shared.web.funder_items import funder_items
from shared.web.funder_pages import funder
from shared.web.funder_session import session_signer
from shared.web.links import links
from shared.web.my_page import my
from shared.web.negotiation import site_prefix
from shared.web.opportunities_api import opportunities
from shared.web.plan_builder import plan_builder
from shared.web.rate_limit.hook import install_rate_limits
from shared.web.site import site


def create_app(settings: Settings, adapters: Callable[[], Adapters]) -> Flask:
    """An app serving every ingest route under `settings`; `adapters` is called when a
    request first needs them (so building the app creates no client)."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    secret = settings.link_signing_secret.get_secret_value()
    prefix = site_prefix(settings.public_base_url)
    app.extensions[EXTENSION] = WebContext(
        settings=settings,
        get_adapters=adapters,
        prefix=prefix,
        form_tokens=FormTokens(secret),
        sessions=session_signer(secret),
    )
    install_correlation(app)
    install_error_handlers(app, prefix)
    install_rate_limits(app, adapters)
    for blueprint in (api, opportunities, site, links, my, funder, funder_items, plan_builder):
        app.register_blueprint(blueprint)
    return app
