# An operator hears about work the system still owes: the relay logs one ERROR line,
# `hand-offs owed`, while any published event has not been recorded by one of its
# consumers for HANDOFF_ALERT_MINUTES (shared/services/handoffs.py). The relay keeps
# publishing such events again by itself; this alert is for what it cannot fix (a bug,
# a function that keeps failing).

resource "google_logging_metric" "handoffs_owed" {
  project = var.project_id
  name    = "grantmatch/handoffs_owed"
  filter  = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"hand-offs owed\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

resource "google_monitoring_alert_policy" "handoffs_owed" {
  project      = var.project_id
  display_name = "Grant Match: hand-offs owed past their deadline"
  combiner     = "OR"

  conditions {
    display_name = "relay reports hand-offs owed"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.handoffs_owed.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  notification_channels = var.alert_notification_channels
}
