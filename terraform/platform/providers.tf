locals {
  # Every service the platform uses or is planned to use: with an emulator endpoint set,
  # all of them point at it, so nothing can reach real AWS.
  emulated_services = [
    "applicationautoscaling",
    "athena",
    "budgets",
    "ce",
    "cloudtrail",
    "cloudwatch",
    "dynamodb",
    "ec2",
    "emrserverless",
    "events",
    "glue",
    "iam",
    "kms",
    "lakeformation",
    "lambda",
    "logs",
    "quicksight",
    "redshiftserverless",
    "s3",
    "scheduler",
    "sfn",
    "sns",
    "sqs",
    "ssm",
    "sts",
    "xray",
  ]
  emulated = var.endpoint != null
}

# Real AWS for dev, staging and prod. For local (the emulator: python -m localaws, moto
# underneath) fixed fake credentials, no metadata or region checks; the account ID is
# still requested from its STS and comes back as moto's 123456789012.
provider "aws" {
  region                      = var.region
  access_key                  = local.emulated ? "test" : null
  secret_key                  = local.emulated ? "test" : null
  skip_credentials_validation = local.emulated
  skip_metadata_api_check     = local.emulated
  skip_region_validation      = local.emulated
  s3_use_path_style           = local.emulated

  dynamic "endpoints" {
    for_each = local.emulated ? [var.endpoint] : []
    content {
      applicationautoscaling = endpoints.value
      athena                 = endpoints.value
      budgets                = endpoints.value
      ce                     = endpoints.value
      cloudtrail             = endpoints.value
      cloudwatch             = endpoints.value
      dynamodb               = endpoints.value
      ec2                    = endpoints.value
      emrserverless          = endpoints.value
      events                 = endpoints.value
      glue                   = endpoints.value
      iam                    = endpoints.value
      kms                    = endpoints.value
      lakeformation          = endpoints.value
      lambda                 = endpoints.value
      logs                   = endpoints.value
      quicksight             = endpoints.value
      redshiftserverless     = endpoints.value
      s3                     = endpoints.value
      scheduler              = endpoints.value
      sfn                    = endpoints.value
      sns                    = endpoints.value
      sqs                    = endpoints.value
      ssm                    = endpoints.value
      sts                    = endpoints.value
      xray                   = endpoints.value
    }
  }

  default_tags {
    tags = {
      project     = "taxlake"
      environment = var.environment
      managed_by  = "terraform"
    }
  }
}
