# Terraform and provider versions are pinned: a deploy must not change because a provider
# released something. Upgrade on purpose, in a commit of its own.
terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "6.50.0"
    }
  }

  # State lives in a GCS bucket you create once (DEPLOY.md):
  #   terraform init -backend-config="bucket=<project>-tfstate"
  # It holds no secret values: the SendGrid key is added to Secret Manager out of band.
  backend "gcs" {
    prefix = "grantmatch"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
