# Topics and OUR OWN push subscriptions, exactly as infra/topology.json describes them
# (tests/contract/test_terraform_topology.py compares the two). Adding an event means adding
# its topic, subscription and publishers here and in topology.json.

locals {
  topics = [
    "grant-published", "project-submitted", "profile-created", "match-found",
    "subscription-confirmed", "notification-due", "interest-expressed", "interest-accepted",
    "erasure-requested", "harvest-requested", "scheduled-jobs", "dead-letter",
  ]

  push_subscriptions = {
    "match-on-grant-published" = {
      topic                 = "grant-published"
      push_to               = "match"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    "match-on-project-submitted" = {
      topic                 = "project-submitted"
      push_to               = "match"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    "match-on-profile-created" = {
      topic                 = "profile-created"
      push_to               = "match"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    "notify-on-match-found" = {
      topic                 = "match-found"
      push_to               = "notify"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    "notify-on-profile-created" = {
      topic                 = "profile-created"
      push_to               = "notify"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    "notify-on-project-submitted" = {
      topic                 = "project-submitted"
      push_to               = "notify"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    "notify-on-subscription-confirmed" = {
      topic                 = "subscription-confirmed"
      push_to               = "notify"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    "notify-on-notification-due" = {
      topic                 = "notification-due"
      push_to               = "notify"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    "notify-on-scheduled-jobs" = {
      topic                 = "scheduled-jobs"
      push_to               = "notify"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    "notify-on-interest-expressed" = {
      topic                 = "interest-expressed"
      push_to               = "notify"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    "notify-on-interest-accepted" = {
      topic                 = "interest-accepted"
      push_to               = "notify"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
    # A harvest reads a source for minutes: its deadline is Pub/Sub's longest, and a
    # failed run waits a minute before it resumes at its stored cursor.
    "harvest-on-harvest-requested" = {
      topic                 = "harvest-requested"
      push_to               = "harvest"
      ack_deadline_seconds  = 600
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 60
      max_backoff_seconds   = 600
    }
    "notify-on-erasure-requested" = {
      topic                 = "erasure-requested"
      push_to               = "notify"
      ack_deadline_seconds  = 120
      dead_letter_topic     = "dead-letter"
      max_delivery_attempts = 5
      min_backoff_seconds   = 10
      max_backoff_seconds   = 600
    }
  }

  pull_subscriptions = {
    # Where poison and undeliverable messages wait for a person (DEPLOY.md: verify).
    "dead-letter-inbox" = {
      topic                = "dead-letter"
      ack_deadline_seconds = 60
      retention_seconds    = 604800
    }
  }

  # Who may publish to each topic. Authoritative: a function can only emit its own events.
  topic_publishers = {
    "grant-published"   = [local.runtime_member.ingest, local.runtime_member.relay, local.runtime_member.harvest]
    "project-submitted" = [local.runtime_member.ingest, local.runtime_member.relay]
    "profile-created"   = [local.runtime_member.ingest, local.runtime_member.relay]
    "match-found"       = [local.runtime_member.match, local.runtime_member.relay]
    # A followed confirmation link (ingest), or its outbox entry (relay).
    "subscription-confirmed" = [local.runtime_member.ingest, local.runtime_member.relay]
    # Due instant alerts (relay) and the fan-out of a weekly digest or reminder run (notify).
    "notification-due" = [local.runtime_member.notify, local.runtime_member.relay]
    # A funder's interest in a project, and the CSO's answer (ingest, or its outbox: relay).
    "interest-expressed" = [local.runtime_member.ingest, local.runtime_member.relay]
    "interest-accepted"  = [local.runtime_member.ingest, local.runtime_member.relay]
    # Someone asked for an erasure link by address (ingest), or its outbox entry (relay).
    "erasure-requested" = [local.runtime_member.ingest, local.runtime_member.relay]
    # Cloud Scheduler's fixed ticks (scheduler.tf).
    "scheduled-jobs" = [local.scheduler_agent]
    # One fixed `harvest.requested` per source (scheduler.tf).
    "harvest-requested" = [local.scheduler_agent]
    # Consumers park poison here; the Pub/Sub agent forwards what failed max attempts.
    "dead-letter" = [
      local.runtime_member.match, local.runtime_member.notify, local.runtime_member.harvest,
      local.pubsub_agent,
    ]
  }
}

resource "google_pubsub_topic" "topic" {
  for_each   = toset(local.topics)
  name       = each.key
  depends_on = [google_project_service.api]
}

resource "google_pubsub_topic_iam_binding" "publishers" {
  for_each = local.topic_publishers
  project  = var.project_id
  topic    = google_pubsub_topic.topic[each.key].name
  role     = "roles/pubsub.publisher"
  members  = each.value
}

resource "google_pubsub_subscription" "push" {
  for_each             = local.push_subscriptions
  name                 = each.key
  topic                = google_pubsub_topic.topic[each.value.topic].id
  ack_deadline_seconds = each.value.ack_deadline_seconds

  push_config {
    # The path names the topic, as in the local stack (dev/topology.py): functions-framework
    # then puts it in the CloudEvent's source.
    push_endpoint = "${google_cloudfunctions2_function.fn[each.value.push_to].service_config[0].uri}/projects/${var.project_id}/topics/${each.value.topic}"
    oidc_token {
      service_account_email = google_service_account.pusher[each.value.push_to].email
      audience              = google_cloudfunctions2_function.fn[each.value.push_to].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "${each.value.min_backoff_seconds}s"
    maximum_backoff = "${each.value.max_backoff_seconds}s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.topic[each.value.dead_letter_topic].id
    max_delivery_attempts = each.value.max_delivery_attempts
  }

  # Never expire for inactivity (the default is 31 days): a quiet month loses nothing.
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "pull" {
  for_each                   = local.pull_subscriptions
  name                       = each.key
  topic                      = google_pubsub_topic.topic[each.value.topic].id
  ack_deadline_seconds       = each.value.ack_deadline_seconds
  message_retention_duration = "${each.value.retention_seconds}s"

  expiration_policy {
    ttl = ""
  }
}

# To dead-letter, the Pub/Sub agent must be able to take a message off the source
# subscription (and publish it: see topic_publishers["dead-letter"]).
resource "google_pubsub_subscription_iam_member" "dead_letter_forwarding" {
  for_each     = local.push_subscriptions
  project      = var.project_id
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}
