"""`grantmatch migrate …`: one-off data migrations, each idempotent."""

from __future__ import annotations

import click

from shared.runtime.bootstrap import adapters


@click.group()
def migrate() -> None:
    """Data migrations (safe to run again)."""


@migrate.command("dedupe-subscribers")
def dedupe_subscribers_command() -> None:
    """Index addresses by keyed hash and leave one subscription per address."""
    from shared.services.subscriber_migration import dedupe_subscribers

    ad = adapters()
    if not ad.settings.link_signing_secret.get_secret_value():
        # The keyed hashes would not be the functions' own: every lookup would miss.
        raise click.UsageError(
            "LINK_SIGNING_SECRET is not set: give the functions' own secret (the "
            "addresses' keyed hashes are keyed with it)"
        )
    report = dedupe_subscribers(ad)
    click.echo(
        f"{report.records} profiles and projects: {report.indexed} indexed, "
        f"{report.replaced} older profiles replaced, {report.unsubscribed} unsubscribed"
    )
