data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  job_name    = "${var.name_prefix}-curate"
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  temp_prefix = "glue/tmp/"

  temp_dir = "s3://${var.job.artifacts.name}/${local.temp_prefix}"

  default_arguments = {
    "--extra-py-files"                   = var.job.library
    "--enable-auto-scaling"              = "true"
    "--job-bookmark-option"              = "job-bookmark-enable"
    "--enable-continuous-cloudwatch-log" = "true"
    "--enable-metrics"                   = "true"
    "--enable-observability-metrics"     = "true"
    "--lake-bucket"                      = var.job.curated.bucket_name
    "--TempDir"                          = local.temp_dir
  }
}

# Everything the job leaves behind is encrypted with the platform key: S3 output
# (including TempDir), Glue's CloudWatch log streams and the job bookmarks.
resource "aws_glue_security_configuration" "this" {
  name = local.job_name

  encryption_configuration {
    # CloudWatch Logs encryption has only DISABLED and SSE-KMS modes (no CSE-KMS).
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.job.kms_key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.job.kms_key_arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.job.kms_key_arn
    }
  }
}

resource "aws_glue_job" "this" {
  name                   = local.job_name
  description            = "Curates one validated lodgement file into the lake (Spark); started by the pipeline state machine."
  role_arn               = module.role.role.arn
  glue_version           = "5.0"
  worker_type            = var.settings.worker_type
  number_of_workers      = var.settings.number_of_workers
  execution_class        = var.settings.execution_class
  timeout                = var.settings.timeout_minutes
  security_configuration = aws_glue_security_configuration.this.name
  # Step Functions owns retries (with backoff, and Catch to the failure branch).
  max_retries       = 0
  default_arguments = local.default_arguments
  tags              = var.tags

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = var.job.script
  }

  execution_property {
    max_concurrent_runs = var.settings.max_concurrency
  }
}
