"""What the site's pages cost: render time and weight of the form page and a projects
page of 20 projects, in every language.

    .venv/bin/python -m bench.render_pages [--rounds 30]

People open these pages on slow, metered mobile connections, so the weight (raw and
gzipped, as a server or proxy would send it) matters as much as the time. Prints
milliseconds per page after a warm-up, kilobytes, and the ratio to English.
"""

from __future__ import annotations

import argparse
import gzip
import time
from collections.abc import Callable

from flask import Response

from shared.email.i18n import LANGUAGES
from shared.services.project_listings import public_view
from shared.web.pages.site import home_page, project_card, projects_page
from tests import builders as b


def _measure(render: Callable[[], Response], rounds: int) -> tuple[float, float, float]:
    body = render().get_data()  # warm-up: catalogue, templates, country names
    started = time.perf_counter()
    for _ in range(rounds):
        render()
    ms = (time.perf_counter() - started) / rounds * 1000
    return ms, len(body) / 1024, len(gzip.compress(body)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    items = [
        public_view(b.project(id=f"p_{i}", amount_needed=25000, needed_by="2027-03-31"))
        for i in range(20)
    ]
    rows = []
    for language in LANGUAGES:
        cards = [project_card({**item, "pledged": 5000}, language, None) for item in items]
        pages = {
            "form": lambda lang=language: home_page(lang, "", "token"),
            "projects": lambda lang=language, c=cards: projects_page(lang, "", c),
        }
        for page, render in pages.items():
            rows.append((language, page, *_measure(render, rounds)))
    english = {page: ms for language, page, ms, *_ in rows if language == "en"}
    print(f"{'language':<10}{'page':<10}{'ms/page':>9}{'KiB':>8}{'gzip KiB':>10}{'vs en':>7}")
    for language, page, ms, size, zipped in rows:
        ratio = ms / english[page]
        print(f"{language:<10}{page:<10}{ms:>9.2f}{size:>8.1f}{zipped:>10.1f}{ratio:>7.2f}")


if __name__ == "__main__":
    main()
