# The database and its indexes. Indexes and field overrides come straight from
# firestore.indexes.json (the file `firebase deploy` and the Firestore console also read);
# tests/contract/test_firestore_indexes.py checks that every query in the code has its index.

locals {
  firestore = jsondecode(file("${path.module}/firestore.indexes.json"))
}

resource "google_firestore_database" "main" {
  project     = var.project_id
  name        = "(default)"
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"
  # No point-in-time recovery on purpose: deleted personal data must not linger 7 days.
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  deletion_policy         = "ABANDON"
  depends_on              = [google_project_service.api]
}

resource "google_firestore_index" "composite" {
  for_each = {
    for index in local.firestore.indexes :
    join(" ", concat([index.collectionGroup, index.queryScope], [for field in index.fields : "${field.fieldPath}:${try(field.order, field.arrayConfig)}"])) => index
  }
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = each.value.collectionGroup
  query_scope = each.value.queryScope

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = try(fields.value.order, null)
      array_config = try(fields.value.arrayConfig, null)
    }
  }
}

resource "google_firestore_field" "override" {
  for_each   = { for field in local.firestore.fieldOverrides : "${field.collectionGroup}.${field.fieldPath}" => field }
  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = each.value.collectionGroup
  field      = each.value.fieldPath

  # TTL: Firestore deletes each document some time after this timestamp has passed.
  dynamic "ttl_config" {
    for_each = try(each.value.ttl, false) ? [1] : []
    content {}
  }

  # The listed indexes replace the field's automatic ones; an empty list turns them off
  # (a TTL timestamp is never queried, and indexing it would only cost writes).
  index_config {
    dynamic "indexes" {
      for_each = each.value.indexes
      content {
        query_scope  = try(indexes.value.queryScope, "COLLECTION")
        order        = try(indexes.value.order, null)
        array_config = try(indexes.value.arrayConfig, null)
      }
    }
  }
}
