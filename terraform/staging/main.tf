locals {
  environment = "staging"
}

module "platform" {
  source = "../../modules/platform"

  environment       = local.environment
  artifacts_dir     = var.artifacts_dir
  state_machine_arn = var.state_machine_arn
  kms               = var.kms
  access_logs       = var.access_logs
  landing           = var.landing
  validator         = var.validator
}
