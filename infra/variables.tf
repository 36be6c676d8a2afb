variable "project_id" {
  type        = string
  description = "The Google Cloud project to deploy into."
}

variable "region" {
  type        = string
  default     = "asia-southeast1"
  description = "Region of the functions, the scheduler and the source bucket (Singapore: closest to the Mekong)."
}

variable "firestore_location" {
  type        = string
  default     = "asia-southeast1"
  description = "Firestore location. Cannot be changed once the database exists."
}

variable "mail_from" {
  type        = string
  description = "Sender address of every email; its domain must be authenticated in SendGrid."

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.mail_from))
    error_message = "mail_from must be an email address."
  }
}

variable "mail_from_name" {
  type        = string
  default     = "Grant Match"
  description = "Sender name shown in mail clients."
}

variable "public_base_url" {
  type        = string
  default     = ""
  description = "Public URL of the ingest API, used for links in emails. Empty: the function's own URL."
}

variable "log_level" {
  type        = string
  default     = "INFO"
  description = "Python log level of every function."
}

variable "trusted_proxy_hops" {
  type        = number
  default     = 1
  description = "Proxies that append to X-Forwarded-For before ingest: 1 for Google's front end alone, 2 behind an external HTTPS load balancer. The client address (rate limits) is that many entries from the right."
}

variable "build_dir" {
  type        = string
  default     = ""
  description = "Where `make build` left <function>.zip. Empty: ../build next to this folder."
}

variable "alert_notification_channels" {
  type        = list(string)
  default     = []
  description = "Monitoring notification channels (ids) told when hand-offs are owed past HANDOFF_ALERT_MINUTES (infra/monitoring.tf)."
}
