data "aws_caller_identity" "current" {}

locals {
  bucket_name = coalesce(var.bucket_name, "${var.name_prefix}-landing-${data.aws_caller_identity.current.account_id}")

  # One rule per prefix: S3 rejects overlapping prefixes that share an action type,
  # so there is no whole-bucket rule beside these.
  lifecycle_rules = {
    for name, prefix in var.prefixes : name => {
      prefix                          = prefix
      transitions                     = [{ days = var.intelligent_tiering_days, storage_class = "INTELLIGENT_TIERING" }]
      noncurrent_expiration_days      = var.noncurrent_version_expiration_days
      abort_incomplete_multipart_days = 7
    }
  }
}

module "bucket" {
  source = "../s3-bucket"

  name            = local.bucket_name
  kms_key_arn     = var.kms_key_arn
  versioning      = true
  force_destroy   = var.force_destroy
  eventbridge     = true
  lifecycle_rules = local.lifecycle_rules
  tags            = var.tags

  logging = {
    target_bucket = var.access_log_bucket
    target_prefix = "s3/${local.bucket_name}/"
  }
}

# Lodgements arriving under the incoming prefix start validation.
resource "aws_cloudwatch_event_rule" "this" {
  name           = "${var.name_prefix}-landing-object-created"
  description    = "Objects created under ${var.prefixes.incoming} in ${local.bucket_name}."
  event_bus_name = "default"
  tags           = var.tags

  event_pattern = jsonencode({
    source      = ["aws.s3"]
    detail-type = ["Object Created"]
    detail = {
      bucket = { name = [local.bucket_name] }
      object = { key = [{ prefix = var.prefixes.incoming }] }
    }
  })
}
