"""What the routes get from the app that runs them: its settings, its adapters, the path
the site is mounted under, and the signers made from its secret.

`create_app` stores one `WebContext` on the app (`app.extensions["grantmatch"]`); routes
read it through `web()` and `adapters()`, so nothing is global and tests may build as many
apps as they like in one process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from flask import current_app

from shared.runtime.bootstrap import Adapters
from shared.runtime.config import Settings
from shared.web.form_tokens import FormTokens
from shared.web.funder_session import SessionSigner

EXTENSION: Final = "grantmatch"


@dataclass(frozen=True)
class WebContext:
    """One app's settings and the means to reach its adapters."""

    settings: Settings
    #: Called on first use, so building the app creates no client.
    get_adapters: Callable[[], Adapters]
    #: The path the site is mounted under (`/ingest`, or empty locally).
    prefix: str
    form_tokens: FormTokens
    sessions: SessionSigner


def web() -> WebContext:
    """The context of the app handling the current request."""
    context: WebContext = current_app.extensions[EXTENSION]
    return context


def adapters() -> Adapters:
    """The adapters of the app handling the current request."""
    return web().get_adapters()
