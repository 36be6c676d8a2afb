"""`grantmatch funder …`: create funders and manage their API keys."""

from __future__ import annotations

import click

from shared.runtime.bootstrap import adapters


@click.group()
def funder() -> None:
    """Funders and API keys."""


@funder.command("create")
@click.option("--name", required=True, help="The funder's display name.")
@click.option(
    "--email",
    default=None,
    help="Private address for the weekly 'projects that fit your grants' (never shown).",
)
@click.option("--language", default="en", show_default=True, help="Language of that email.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def create(name: str, email: str | None, language: str, as_json: bool) -> None:
    """Create a funder and print its API key (shown once, stored only as a hash)."""
    from shared.services.funders import create_funder

    ad = adapters()
    try:
        created = create_funder(ad, name, email=email, language=language)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--email") from exc
    if as_json:
        import json

        click.echo(
            json.dumps(
                {
                    "funder_id": created.funder_id,
                    "key_id": created.key_id,
                    "api_key": created.api_key,
                }
            )
        )
        return
    click.echo(f"funder id: {created.funder_id}")
    click.echo(f"key id:    {created.key_id}")
    click.echo(f"API key:   {created.api_key}")
    click.echo("Store the key now: it cannot be shown again.", err=True)


@funder.command("add-key")
@click.argument("funder_id")
def add_key_command(funder_id: str) -> None:
    """Issue another key for a funder (for rotation)."""
    from shared.services.funders import add_key

    ad = adapters()
    key_id, plaintext = add_key(ad, funder_id)
    click.echo(f"key id:  {key_id}")
    click.echo(f"API key: {plaintext}")


@funder.command("revoke-key")
@click.argument("key_id")
def revoke_key(key_id: str) -> None:
    """Revoke a key: requests with it are refused from now on."""
    ad = adapters()
    if not ad.funders.revoke_api_key(key_id, ad.clock.now()):
        raise click.ClickException(f"no key {key_id}")
    click.echo(f"revoked {key_id}")
