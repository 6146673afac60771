data "aws_caller_identity" "current" {}

locals {
  name_prefix = coalesce(var.name_prefix, "taxlake-${var.environment}")
  account_id  = data.aws_caller_identity.current.account_id

  # Relative to the root module, not to the caller's working directory; kept relative so
  # the planned filename is the same on every machine.
  artifacts_dir = startswith(var.artifacts_dir, "/") ? var.artifacts_dir : "${path.root}/${var.artifacts_dir}"
}

module "kms" {
  source = "../kms"

  name_prefix             = local.name_prefix
  deletion_window_in_days = var.kms.deletion_window_in_days
  tags                    = merge(var.tags, { component = "kms" })
}

# Server access logs: S3 log delivery cannot write SSE-KMS, so this bucket is SSE-S3.
module "access_logs" {
  source = "../s3-bucket"

  name                      = "${local.name_prefix}-access-logs-${local.account_id}"
  kms_key_arn               = null
  allow_access_log_delivery = true
  force_destroy             = var.access_logs.force_destroy
  tags                      = merge(var.tags, { component = "access-logs" })

  lifecycle_rules = {
    expire-access-logs = {
      expiration_days            = var.access_logs.expiration_days
      noncurrent_expiration_days = var.access_logs.noncurrent_expiration_days
    }
  }
}

module "landing" {
  source = "../landing"

  name_prefix                        = local.name_prefix
  kms_key_arn                        = module.kms.key_arn
  access_log_bucket                  = module.access_logs.bucket_id
  intelligent_tiering_days           = var.landing.intelligent_tiering_days
  noncurrent_version_expiration_days = var.landing.noncurrent_version_expiration_days
  force_destroy                      = var.landing.force_destroy
  tags                               = merge(var.tags, { component = "landing" })
}

module "runtime_layer" {
  source = "../lambda-layer"

  name_prefix = local.name_prefix
  layer_name  = "runtime"
  filename    = "${local.artifacts_dir}/layers/runtime.zip"
  description = "taxlake runtime: domain library and its dependencies"
}

module "validator" {
  source = "../validator"

  name_prefix        = local.name_prefix
  package_path       = "${local.artifacts_dir}/lambdas/validator.zip"
  layer_arns         = [module.runtime_layer.layer_arn]
  kms_key_arn        = module.kms.key_arn
  landing_bucket_arn = module.landing.bucket_arn
  landing_bucket_id  = module.landing.bucket_id
  incoming_prefix    = module.landing.incoming_prefix
  validated_prefix   = module.landing.validated_prefix
  quarantine_prefix  = module.landing.quarantine_prefix
  event_rule_name    = module.landing.event_rule_name
  event_rule_arn     = module.landing.event_rule_arn
  state_machine_arn  = var.state_machine_arn
  settings           = var.validator
  tags               = merge(var.tags, { component = "validator" })
}
