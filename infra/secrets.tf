# Secrets: declared here, filled out of band (DEPLOY.md), so their values are in neither
# this repository nor the Terraform state. Functions read them as environment variables.

locals {
  # Environment variable (a SecretStr setting in shared/runtime/config.py) -> Secret Manager id.
  secrets = {
    SENDGRID_API_KEY    = "sendgrid-api-key"
    LINK_SIGNING_SECRET = "link-signing-secret"
    # simpler.grants.gov's API key (https://simpler.grants.gov/developer); without it that
    # source is skipped with one log line.
    SIMPLER_GRANTS_API_KEY = "simpler-grants-api-key"
    # The appname ReliefWeb approved for our use of its API (https://apidoc.reliefweb.int);
    # without it the ReliefWeb trainings source is skipped with one log line.
    RELIEFWEB_APPNAME = "reliefweb-appname"
  }

  # Who may read each secret: the functions whose `secrets` list it (functions.tf).
  secret_readers = {
    SENDGRID_API_KEY = [local.runtime_member.notify]
    # Ingest checks the confirm/unsubscribe links that notify signs.
    LINK_SIGNING_SECRET    = [local.runtime_member.ingest, local.runtime_member.notify]
    SIMPLER_GRANTS_API_KEY = [local.runtime_member.harvest]
    RELIEFWEB_APPNAME      = [local.runtime_member.harvest]
  }
}

resource "google_secret_manager_secret" "secret" {
  for_each  = local.secrets
  secret_id = each.value
  replication {
    auto {}
  }
  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_iam_binding" "readers" {
  for_each  = local.secret_readers
  project   = var.project_id
  secret_id = google_secret_manager_secret.secret[each.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  members   = each.value
}
