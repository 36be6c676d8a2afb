# The five functions, built by `make build` into ../build/<name>.zip, with one runtime
# service account each and exactly the callers they need.

locals {
  runtime   = "python311"
  build_dir = var.build_dir != "" ? var.build_dir : "${path.module}/../build"

  # One entry per folder under functions/; entry points as in infra/topology.json.
  # A push function's timeout stays within its subscriptions' ack deadline, so Pub/Sub does
  # not redeliver a message that is still being handled.
  functions = {
    ingest = {
      entry_point     = "ingest"
      memory          = "512M"
      max_instances   = 10
      timeout_seconds = 60
      ingress         = "ALLOW_ALL"
      secrets         = ["LINK_SIGNING_SECRET"]
    }
    match = {
      entry_point     = "match"
      memory          = "512M"
      max_instances   = 10
      timeout_seconds = 120
      ingress         = "ALLOW_INTERNAL_ONLY"
      secrets         = []
    }
    notify = {
      entry_point     = "notify"
      memory          = "512M"
      max_instances   = 5
      timeout_seconds = 120
      ingress         = "ALLOW_INTERNAL_ONLY"
      secrets         = ["SENDGRID_API_KEY", "LINK_SIGNING_SECRET"]
    }
    # Harvests one source per run; a run stops before the ack deadline (540 < 600 s)
    # and the next one resumes at the source's stored cursor.
    harvest = {
      entry_point     = "harvest"
      memory          = "1Gi"
      max_instances   = 3
      timeout_seconds = 540
      ingress         = "ALLOW_INTERNAL_ONLY"
      secrets         = ["SIMPLER_GRANTS_API_KEY", "RELIEFWEB_APPNAME"]
    }
    relay = {
      entry_point     = "relay"
      memory          = "512M"
      max_instances   = 1
      timeout_seconds = 120
      ingress         = "ALLOW_INTERNAL_ONLY"
      secrets         = []
    }
  }

  runtime_member = {
    ingest  = "serviceAccount:${google_service_account.runtime["ingest"].email}"
    match   = "serviceAccount:${google_service_account.runtime["match"].email}"
    notify  = "serviceAccount:${google_service_account.runtime["notify"].email}"
    relay   = "serviceAccount:${google_service_account.runtime["relay"].email}"
    harvest = "serviceAccount:${google_service_account.runtime["harvest"].email}"
  }

  # Functions called by our own Pub/Sub push subscriptions, and by Cloud Scheduler: each
  # gets a caller identity of its own that may invoke that function and nothing else.
  pushed_functions    = ["match", "notify", "harvest"]
  scheduled_functions = ["relay"]

  # Who may call each function. Authoritative: nobody else can, whatever the project says.
  invokers = {
    ingest  = ["allUsers"] # the public API: funders authenticate with API keys in the app
    match   = ["serviceAccount:${google_service_account.pusher["match"].email}"]
    notify  = ["serviceAccount:${google_service_account.pusher["notify"].email}"]
    harvest = ["serviceAccount:${google_service_account.pusher["harvest"].email}"]
    relay   = ["serviceAccount:${google_service_account.scheduler["relay"].email}"]
  }
}

# -- identities ------------------------------------------------------------------------------

resource "google_service_account" "runtime" {
  for_each     = local.functions
  account_id   = "gm-fn-${each.key}"
  display_name = "Grant Match ${each.key} function"
}

resource "google_service_account" "pusher" {
  for_each     = toset(local.pushed_functions)
  account_id   = "gm-push-${each.key}"
  display_name = "Pub/Sub push to ${each.key}"
}

resource "google_service_account" "scheduler" {
  for_each     = toset(local.scheduled_functions)
  account_id   = "gm-cron-${each.key}"
  display_name = "Cloud Scheduler calls to ${each.key}"
}

# Pub/Sub signs each push with an OIDC token of the pusher account.
resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  for_each           = toset(local.pushed_functions)
  service_account_id = google_service_account.pusher[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# Every function reads and writes Firestore (IAM cannot narrow this to collections).
resource "google_project_iam_member" "firestore_user" {
  for_each = local.functions
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = local.runtime_member[each.key]
}

# Cloud Build runs pip for each function as this account, not the default compute one
# (which new organisations leave without roles).
resource "google_service_account" "build" {
  account_id   = "gm-build"
  display_name = "Grant Match function builds"
}

resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer", "roles/storage.objectViewer"])
  project  = var.project_id
  role     = each.key
  member   = "serviceAccount:${google_service_account.build.email}"
}

# -- sources ---------------------------------------------------------------------------------

resource "google_storage_bucket" "sources" {
  name                        = "${var.project_id}-gm-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  # Replaced zips stay as older generations for a while (DEPLOY.md: rolling back).
  versioning {
    enabled = true
  }
  lifecycle_rule {
    condition {
      num_newer_versions = 10
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_storage_bucket_object" "source" {
  for_each = local.functions
  # Named by content: a new build is a new object and a redeploy; the same build is neither.
  name   = "${each.key}-${filemd5("${local.build_dir}/${each.key}.zip")}.zip"
  bucket = google_storage_bucket.sources.name
  source = "${local.build_dir}/${each.key}.zip"
}

# -- functions -------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions
  name     = each.key
  location = var.region

  build_config {
    runtime         = local.runtime
    entry_point     = each.value.entry_point
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  # No event_trigger: match and notify receive our own push subscriptions (pubsub.tf),
  # which carry the retry and dead-letter policies a trigger-managed one cannot.
  service_config {
    available_memory               = each.value.memory
    max_instance_count             = each.value.max_instances
    timeout_seconds                = each.value.timeout_seconds
    ingress_settings               = each.value.ingress
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.runtime[each.key].email
    environment_variables          = local.environment

    dynamic "secret_environment_variables" {
      for_each = each.value.secrets
      content {
        key        = secret_environment_variables.value
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.build,
    google_secret_manager_secret_iam_binding.readers,
  ]
}

# Gen2 functions are Cloud Run services: invoking one needs run.invoker on its service.
resource "google_cloud_run_v2_service_iam_binding" "invokers" {
  for_each = local.invokers
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  members  = each.value
}
