# Project-wide pieces: the APIs, the Google-managed service agents, and the settings every
# function shares. The functions, topics and jobs are in their own files.
#
# Keep expressions plain (literals, each.*, local.*, var.*, resource references):
# tests/contract parses these files with python-hcl2 and compares what they declare with
# infra/topology.json and shared/runtime/config.py, without running Terraform.

data "google_project" "this" {
  project_id = var.project_id
}

resource "google_project_service" "api" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])
  service = each.key
  # Turning an API off on `terraform destroy` would break anything else in the project.
  disable_on_destroy = false
}

locals {
  # Google's own agent that delivers push messages and forwards dead letters.
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  # Publishes the Pub/Sub-target scheduler jobs' messages (scheduler.tf).
  scheduler_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-cloudscheduler.iam.gserviceaccount.com"

  # Settings (shared/runtime/config.py) that have no production-safe default. Every function gets
  # the same map; secrets are not here but in secrets.tf.
  environment = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    PUBLIC_BASE_URL      = local.public_base_url
    MAIL_FROM            = var.mail_from
    MAIL_FROM_NAME       = var.mail_from_name
    LOG_LEVEL            = var.log_level
    # Google's front end appends the client address to X-Forwarded-For (one hop). Behind
    # an external HTTPS load balancer as well, set this to 2.
    TRUSTED_PROXY_HOPS = var.trusted_proxy_hops
  }

  # Gen2 functions also answer at this stable address; it does not depend on the deploy,
  # so ingest can be told its own URL without a cycle.
  public_base_url = var.public_base_url != "" ? var.public_base_url : "https://${var.region}-${var.project_id}.cloudfunctions.net/ingest"
}
