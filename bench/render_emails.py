"""How long rendering takes: every email kind in every language, and link signing.

    .venv/bin/python -m bench.render_emails [--rounds 50]

Prints milliseconds per email (after a warm-up that loads catalogues and templates) and
the ratio to English, so a slow catalogue or template shows up as a figure, not a guess.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from shared.domain.recipients import Recipient
from shared.email.i18n import LANGUAGES
from shared.email.items import match_item
from shared.email.links import LinkClaim, LinkSigner, Purpose
from shared.email.rendering import render_alerts, render_confirmation, render_digest
from shared.matching.engine import evaluate
from tests import builders as b


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    links = LinkSigner("bench-secret-" + "x" * 32, "https://gm.example.org")
    grant = b.grant()
    match = evaluate(grant, b.profile(), b.today())
    assert match is not None
    timings = {}
    for language in LANGUAGES:
        recipient = Recipient.of_profile(b.profile(language=language))
        items = [match_item(recipient, grant, match, links)] * 10

        def render_all(r: Recipient = recipient, i: list = items) -> None:
            render_confirmation(r, links, "ref")
            render_alerts(r, i[:3], links, "ref")
            render_digest(r, i, 5, links, "ref")

        render_all()  # warm-up: catalogue and templates load once per process
        started = time.perf_counter()
        for _ in range(rounds):
            render_all()
        timings[language] = (time.perf_counter() - started) / (rounds * 3) * 1000
    print(f"{'language':<10}{'ms/email':>10}{'vs en':>8}")
    for language, ms in timings.items():
        print(f"{language:<10}{ms:>10.2f}{ms / timings['en']:>8.2f}")
    token = links.token(LinkClaim(Purpose.UNSUBSCRIBE, recipient.kind, recipient.id))
    started = time.perf_counter()
    for _ in range(rounds * 100):
        links.read(Purpose.UNSUBSCRIBE, token, datetime.now(UTC))
    per = (time.perf_counter() - started) / (rounds * 100) * 1e6
    print(f"link check: {per:.1f} µs per token")


if __name__ == "__main__":
    main()
