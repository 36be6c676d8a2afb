"""The `grantmatch` command: admin and operations tasks, one module per command group."""

from __future__ import annotations

import click

from shared.cli.dead_letters import dead_letters
from shared.cli.export_plan import export_plan_command
from shared.cli.funders import funder
from shared.cli.harvest import harvest_command
from shared.cli.imports import import_command
from shared.cli.migrate import migrate
from shared.cli.rank import rank
from shared.cli.relay import relay
from shared.cli.schedule import schedule


@click.group()
def main() -> None:
    """Grant Match administration."""


main.add_command(funder)
main.add_command(relay)
main.add_command(rank)
main.add_command(schedule)
main.add_command(import_command)
main.add_command(dead_letters)
main.add_command(harvest_command)
main.add_command(migrate)
main.add_command(export_plan_command)
