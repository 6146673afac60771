# Everything goes to the local AWS emulator (python -m localaws, moto underneath): fixed
# fake credentials, no metadata or region checks. The account ID is still requested from
# its STS and comes back as moto's 123456789012.
provider "aws" {
  region                      = "ap-southeast-2"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false
  s3_use_path_style           = true

  # Every service the platform uses or is planned to use, so nothing can reach real AWS.
  endpoints {
    applicationautoscaling = var.endpoint
    athena                 = var.endpoint
    budgets                = var.endpoint
    ce                     = var.endpoint
    cloudtrail             = var.endpoint
    cloudwatch             = var.endpoint
    dynamodb               = var.endpoint
    ec2                    = var.endpoint
    emrserverless          = var.endpoint
    events                 = var.endpoint
    glue                   = var.endpoint
    iam                    = var.endpoint
    kms                    = var.endpoint
    lakeformation          = var.endpoint
    lambda                 = var.endpoint
    logs                   = var.endpoint
    quicksight             = var.endpoint
    redshiftserverless     = var.endpoint
    s3                     = var.endpoint
    scheduler              = var.endpoint
    sfn                    = var.endpoint
    sns                    = var.endpoint
    sqs                    = var.endpoint
    ssm                    = var.endpoint
    sts                    = var.endpoint
    xray                   = var.endpoint
  }

  default_tags {
    tags = {
      project     = "taxlake"
      environment = local.environment
      managed_by  = "terraform"
    }
  }
}
