"""Settings, read once from environment variables.

Secrets are `SecretStr`, so they print as `**********` in logs and reprs. In production
they come from Secret Manager, mounted as environment variables by Cloud Functions.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable, with the local-stack defaults."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    google_cloud_project: str = Field("grantmatch-local", min_length=1)
    # Public URL of the ingest function, used to build links in emails.
    public_base_url: str = "http://127.0.0.1:8701"

    sendgrid_api_key: SecretStr = SecretStr("")
    sendgrid_api_host: str = "https://api.sendgrid.com"
    sendgrid_timeout_seconds: float = Field(10.0, gt=0)
    sendgrid_max_attempts: int = Field(4, ge=1)
    mail_from: str = "alerts@grantmatch.example"
    mail_from_name: str = "Grant Match"

    # Signs the confirm/unsubscribe links in emails (Secret Manager in production; the
    # local stack and the tests generate one). Never in the repository.
    link_signing_secret: SecretStr = SecretStr("")
    # Instant alerts wait this long for more matches, so several arrive in one email.
    alert_batch_window_seconds: int = Field(60, ge=0)

    max_body_bytes: int = Field(64 * 1024, gt=0)
    # Bulk uploads (POST /grants/import): Cloud Functions 2nd gen (Cloud Run) refuses
    # HTTP/1 request bodies over 32 MiB anyway; larger files go through the CLI.
    max_import_bytes: int = Field(32 * 1024 * 1024, gt=0)
    publish_timeout_seconds: float = Field(5.0, gt=0)
    # How long a notify call may hold a notification before another delivery may take over.
    notification_lease_seconds: int = Field(120, gt=0)
    # Processed-event ledger entries expire after this (Firestore TTL in production).
    processed_event_ttl_days: int = Field(14, gt=0)
    # A published event's consumers are asked whether they recorded it this long after the
    # publish (shared/domain/handoffs.py); one still owed after HANDOFF_ALERT_MINUTES is
    # counted in the relay's `hand-offs owed` log line, which an operator alerts on.
    handoff_grace_seconds: int = Field(120, gt=0)
    handoff_alert_minutes: int = Field(15, gt=0)

    # Rate limits per sliding window (shared/web/rate_limit/policy.py): per funder key, and per
    # client address for reads, writes and emailed links. Counted in Firestore, across instances.
    rate_limit_window_seconds: int = Field(60, gt=0)
    rate_limit_key_requests: int = Field(120, gt=0)
    rate_limit_ip_reads: int = Field(120, gt=0)
    rate_limit_ip_writes: int = Field(30, gt=0)
    rate_limit_ip_links: int = Field(600, gt=0)
    # How many proxies of ours append to X-Forwarded-For in front of the function: 0
    # locally (the client connects directly), 1 behind Google's front end (infra/main.tf).
    trusted_proxy_hops: int = Field(0, ge=0)

    # The harvest of open calls (shared/harvest/): simpler.grants.gov needs a key (Secret
    # Manager in production; empty: that source is skipped with one log line). The base
    # URLs are the real sources; tests and the local stack point them at a local server.
    simpler_grants_api_key: SecretStr = SecretStr("")
    # ReliefWeb's API needs an appname it approved (since November 2025): not a password,
    # but issued to us and rate-limited per name (1,000 calls a day), so kept as a secret.
    # Empty: the ReliefWeb trainings source is skipped with one log line.
    reliefweb_appname: SecretStr = SecretStr("")
    harvest_eu_search_url: str = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
    harvest_unpp_base_url: str = "https://www.unpartnerportal.org"
    harvest_simpler_api_url: str = "https://api.simpler.grants.gov"
    harvest_reliefweb_api_url: str = "https://api.reliefweb.int"
    # RSS/Atom feeds of calls, a JSON list of {"slug", "url", "countries", "sectors",
    # "applicant_types", "languages", "open_days"} (shared/harvest/feeds.py FeedSource).
    harvest_feeds: str = "[]"
    # Pages one run reads at most; the rest wait for the next run (the cursor is kept).
    harvest_max_pages: int = Field(200, ge=1)

    log_level: str = "INFO"


#: Settings whose default is right in production as well. Every other setting must be set
#: by the deployment (infra/main.tf `environment`, or Secret Manager for secrets); the
#: contract tests fail until it is, so a new setting cannot quietly run on a local-stack
#: default in the cloud.
PRODUCTION_DEFAULTS: frozenset[str] = frozenset(
    {
        "sendgrid_api_host",
        "sendgrid_timeout_seconds",
        "sendgrid_max_attempts",
        "mail_from_name",
        "max_body_bytes",
        "max_import_bytes",
        "publish_timeout_seconds",
        "notification_lease_seconds",
        "alert_batch_window_seconds",
        "processed_event_ttl_days",
        "handoff_grace_seconds",
        "handoff_alert_minutes",
        "rate_limit_window_seconds",
        "rate_limit_key_requests",
        "rate_limit_ip_reads",
        "rate_limit_ip_writes",
        "rate_limit_ip_links",
        "harvest_eu_search_url",
        "harvest_unpp_base_url",
        "harvest_simpler_api_url",
        "harvest_reliefweb_api_url",
        "harvest_feeds",
        "harvest_max_pages",
        "log_level",
    }
)


@cache
def get_settings() -> Settings:
    """The process-wide settings (cached: environment variables are read once)."""
    return Settings()
