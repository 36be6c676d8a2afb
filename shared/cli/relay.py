"""`grantmatch relay`: publish outbox events and revive stalled notifications."""

from __future__ import annotations

import time

import click

from shared.runtime.bootstrap import adapters
from shared.runtime.config import get_settings
from shared.runtime.jsonlog import configure_logging


@click.command()
@click.option("--loop", is_flag=True, help="Keep running, one pass every --every seconds.")
@click.option("--every", default=2.0, show_default=True, help="Seconds between passes.")
def relay(loop: bool, every: float) -> None:
    """Run the outbox relay once (or forever with --loop)."""
    from shared.services.outbox_relay import relay_once

    settings = get_settings()
    configure_logging("relay", settings.google_cloud_project, settings.log_level)
    ad = adapters()
    while True:
        try:
            report = relay_once(ad)
        except Exception as exc:
            click.echo(f"relay pass failed: {type(exc).__name__}: {exc}", err=True)
            if not loop:
                raise SystemExit(1) from exc
        else:
            if not loop:
                click.echo(
                    f"published {report.published}, failed {report.failed}, "
                    f"revived {report.revived_notifications}"
                )
                return
        time.sleep(every)
