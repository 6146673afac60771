# The current-tables job: one writer per current table, so it runs on a schedule with at
# most one run at a time (a tick that finds a run still going fails with
# ConcurrentRunsExceeded and the next tick picks the backlog up). Flex by default: nothing
# waits on it, and the per-file pipeline already serves the freshest rows from curated.

locals {
  current_job_name = "${var.name_prefix}-current"
  current_prefix   = var.current_tables.prefix

  # Glue 5 ships Delta Lake: --datalake-formats loads it, the session extensions and
  # catalog make spark.read/write.format("delta") work.
  delta_arguments = {
    "--datalake-formats" = "delta"
    "--conf"             = "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog"
  }

  current_arguments = merge(
    {
      "--extra-py-files"                   = var.job.library
      "--enable-continuous-cloudwatch-log" = "true"
      "--enable-metrics"                   = "true"
      "--enable-observability-metrics"     = "true"
      "--TempDir"                          = local.temp_dir
      # the job's own markers (current/_applied/) say which sources are in; a bookmark
      # would be a second, opaque record of the same thing
      "--job-bookmark-option" = "job-bookmark-disable"
      "--lake-bucket"         = var.job.curated.bucket_name
      "--curated-prefix"      = var.job.curated.prefix
      "--current-prefix"      = local.current_prefix
      # the same places as URIs for Spark (a local emulator stages data arguments)
      "--curated-root" = "s3://${var.job.curated.bucket_name}/${var.job.curated.prefix}"
      "--current-root" = "s3://${var.job.curated.bucket_name}/${local.current_prefix}"
      "--format"       = var.current_tables.table_format
      "--max-sources"  = tostring(var.current_tables.max_sources)
    },
    var.current_tables.table_format == "delta" ? local.delta_arguments : {}
  )
}

data "aws_iam_policy_document" "current" {
  source_policy_documents = [data.aws_iam_policy_document.runtime.json]

  statement {
    sid       = "ReadCurated"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.job.curated.arn}/${var.job.curated.prefix}/*"]
  }

  statement {
    sid       = "WriteCurrent"
    effect    = "Allow"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = ["${var.job.curated.arn}/${local.current_prefix}/*"]
  }

  statement {
    sid       = "ListLake"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.job.curated.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.job.curated.prefix}/*", "${local.current_prefix}/*"]
    }
  }
}

module "current_role" {
  source = "../service-role"
  count  = var.current_tables.enabled ? 1 : 0

  name        = local.current_job_name
  description = "Role of the ${local.current_job_name} Glue job."
  service     = "glue"
  policy_json = data.aws_iam_policy_document.current.json
  tags        = var.tags
}

resource "aws_glue_job" "current" {
  count = var.current_tables.enabled ? 1 : 0

  name                   = local.current_job_name
  description            = "Merges newly curated sources into the current tables (one row per key, amendments applied); scheduled, single writer."
  role_arn               = module.current_role[0].role.arn
  glue_version           = "5.0"
  worker_type            = var.current_tables.worker_type
  number_of_workers      = var.current_tables.number_of_workers
  execution_class        = var.current_tables.execution_class
  timeout                = var.current_tables.timeout_minutes
  security_configuration = aws_glue_security_configuration.this.name
  # a failed run is retried by the next tick, with whatever arrived since
  max_retries       = 0
  default_arguments = local.current_arguments
  tags              = var.tags

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "s3://${var.job.artifacts.name}/${var.current_script_key}"
  }

  execution_property {
    max_concurrent_runs = 1
  }
}

resource "aws_glue_trigger" "current" {
  count = var.current_tables.enabled ? 1 : 0

  name              = local.current_job_name
  description       = "Runs ${local.current_job_name} on ${var.current_tables.schedule}."
  type              = "SCHEDULED"
  schedule          = var.current_tables.schedule
  start_on_creation = var.current_tables.schedule_enabled
  enabled           = var.current_tables.schedule_enabled
  tags              = var.tags

  actions {
    job_name = aws_glue_job.current[0].name
  }
}
