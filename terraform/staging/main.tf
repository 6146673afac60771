locals {
  environment = "staging"
}

module "platform" {
  source = "../../modules/platform"

  environment   = local.environment
  artifacts_dir = var.artifacts_dir
  kms           = var.kms
  access_logs   = var.access_logs
  landing       = var.landing
  validator     = var.validator
  lake          = var.lake
  raw           = var.raw
  artifacts     = var.artifacts
  glue          = var.glue
  emr           = var.emr
  pipeline      = var.pipeline
}
