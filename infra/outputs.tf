output "ingest_url" {
  description = "The public API (POST /grants, /projects, /profiles)."
  value       = google_cloudfunctions2_function.fn["ingest"].url
}

output "function_uris" {
  description = "Cloud Run address of every function (only ingest accepts the public)."
  value       = { for name, fn in google_cloudfunctions2_function.fn : name => fn.service_config[0].uri }
}

output "dead_letter_subscription" {
  description = "Pull subscription holding poison and undeliverable messages."
  value       = google_pubsub_subscription.pull["dead-letter-inbox"].id
}

output "source_bucket" {
  description = "Bucket of the function zips (versioned)."
  value       = google_storage_bucket.sources.name
}
