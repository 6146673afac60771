# The raw zone: every landed file, byte for byte as landed, under Object Lock. The
# validator copies each landed object version here before it validates, so a file's
# original survives whatever later happens to the landing bucket or the lake.

locals {
  raw_name = "${var.name_prefix}-raw-${local.account_id}"
  raw_root = "raw"

  raw_transitions = concat(
    [{ days = var.raw.intelligent_tiering_days, storage_class = "INTELLIGENT_TIERING" }],
    var.raw.deep_archive_days == null ? [] : [{ days = var.raw.deep_archive_days, storage_class = "DEEP_ARCHIVE" }],
  )

  raw_lifecycle_rules = {
    raw-tiering = {
      transitions                     = local.raw_transitions
      expiration_days                 = var.raw.expiration_days
      noncurrent_expiration_days      = var.raw.noncurrent_expiration_days
      abort_incomplete_multipart_days = 7
    }
  }
}

module "raw" {
  source = "../s3-bucket"

  name            = local.raw_name
  kms_key_arn     = var.kms_key_arn
  versioning      = true
  force_destroy   = var.raw.force_destroy
  lifecycle_rules = local.raw_lifecycle_rules
  tags            = merge(var.tags, { zone = "raw" })

  # Default retention locks each copy as it is written: writers need s3:PutObject only.
  object_lock = {
    mode = var.raw.object_lock_mode
    days = var.raw.retention_days
  }

  logging = {
    target_bucket = var.access_log_bucket
    target_prefix = "s3/${local.raw_name}/"
  }
}
