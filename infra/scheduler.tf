# Cloud Scheduler jobs that call a function, as infra/topology.json "schedules" lists them.
# The relay runs every minute: it publishes what ingest could not and revives stalled
# notifications. Jobs that publish to a topic instead (digests, reminders) get a resource
# of their own with a pubsub_target; the contract test accepts either.

locals {
  schedules = {
    "outbox-relay" = {
      schedule  = "* * * * *"
      time_zone = "Etc/UTC"
      invoke    = "relay"
    }
  }
}

resource "google_cloud_scheduler_job" "invoke" {
  for_each         = local.schedules
  name             = each.key
  region           = var.region
  schedule         = each.value.schedule
  time_zone        = each.value.time_zone
  attempt_deadline = "${local.functions[each.value.invoke].timeout_seconds}s"

  # A failed run is retried by the next one; retrying sooner would only overlap it.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.fn[each.value.invoke].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.scheduler[each.value.invoke].email
      audience              = google_cloudfunctions2_function.fn[each.value.invoke].service_config[0].uri
    }
  }

  depends_on = [google_project_service.api, google_cloud_run_v2_service_iam_binding.invokers]
}

# Jobs that publish a FIXED message to a topic (weekly digest, deadline reminders). The
# message is read from scheduler.json, the file `grantmatch schedule JOB` publishes locally,
# so both send the same bytes; a run's identity comes from its period when it is handled.
locals {
  scheduler_messages = jsondecode(file("${path.module}/scheduler.json")).jobs

  topic_schedules = {
    "weekly-digest" = {
      job       = "digest"
      schedule  = "0 8 * * 1"
      time_zone = "Asia/Bangkok"
      topic     = "scheduled-jobs"
    }
    "deadline-reminders" = {
      job       = "reminders"
      schedule  = "0 7 * * *"
      time_zone = "Asia/Bangkok"
      topic     = "scheduled-jobs"
    }
    # One harvest of each source a day, spread out (each resumes at its stored cursor).
    "harvest-eu-funding-tenders" = {
      job       = "harvest-eu-funding-tenders"
      schedule  = "15 2 * * *"
      time_zone = "Etc/UTC"
      topic     = "harvest-requested"
    }
    "harvest-un-partner-portal" = {
      job       = "harvest-un-partner-portal"
      schedule  = "45 2 * * *"
      time_zone = "Etc/UTC"
      topic     = "harvest-requested"
    }
    "harvest-simpler-grants-gov" = {
      job       = "harvest-simpler-grants-gov"
      schedule  = "15 3 * * *"
      time_zone = "Etc/UTC"
      topic     = "harvest-requested"
    }
    # Once a day: a run is a handful of calls of ReliefWeb's 1,000 a day.
    "harvest-reliefweb-training" = {
      job       = "harvest-reliefweb-training"
      schedule  = "45 3 * * *"
      time_zone = "Etc/UTC"
      topic     = "harvest-requested"
    }
  }
}

resource "google_cloud_scheduler_job" "publish" {
  for_each  = local.topic_schedules
  name      = each.key
  region    = var.region
  schedule  = each.value.schedule
  time_zone = each.value.time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.topic[each.value.topic].id
    data       = base64encode(jsonencode(local.scheduler_messages[each.value.job].message))
  }

  depends_on = [google_project_service.api, google_pubsub_topic_iam_binding.publishers]
}
