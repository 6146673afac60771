data "aws_caller_identity" "current" {}

locals {
  name_prefix = coalesce(var.name_prefix, "taxlake-${var.environment}")
  account_id  = data.aws_caller_identity.current.account_id

  # Relative to the root module, not to the caller's working directory; kept relative so
  # the planned filename is the same on every machine.
  artifacts_dir = startswith(var.artifacts_dir, "/") ? var.artifacts_dir : "${path.root}/${var.artifacts_dir}"

  # Job files uploaded to the artifacts bucket, by key (= path under artifacts_dir).
  job_artifacts = {
    "glue/jobs/curate.py"  = "text/x-python"
    "glue/jobs/current.py" = "text/x-python"
    "glue/taxlake.zip"     = "application/zip"
  }
}

module "kms" {
  source = "../../modules/kms"

  name_prefix             = local.name_prefix
  deletion_window_in_days = var.kms.deletion_window_in_days
  # Vended-log delivery decrypts the state machine's CMK-encrypted execution data to
  # write its execution logs.
  # CloudWatch publishes alarm notifications to the KMS-encrypted alarms topic.
  service_principals = ["delivery.logs.amazonaws.com", "cloudwatch.amazonaws.com"]
  tags               = merge(var.tags, { component = "kms" })
}

# Server access logs: S3 log delivery cannot write SSE-KMS, so this bucket is SSE-S3.
module "access_logs" {
  source = "../../modules/s3-bucket"

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
  source = "../../modules/landing"

  name_prefix                        = local.name_prefix
  kms_key_arn                        = module.kms.key.arn
  access_log_bucket                  = module.access_logs.bucket.name
  intelligent_tiering_days           = var.landing.intelligent_tiering_days
  noncurrent_version_expiration_days = var.landing.noncurrent_version_expiration_days
  force_destroy                      = var.landing.force_destroy
  tags                               = merge(var.tags, { component = "landing" })
}

module "runtime_layer" {
  source = "../../modules/lambda-layer"

  name_prefix = local.name_prefix
  layer_name  = "runtime"
  filename    = "${local.artifacts_dir}/layers/runtime.zip"
  description = "taxlake runtime: domain library and its dependencies"
  # pyarrow + numpy zip to more than the 50 MB Lambda takes directly
  s3_bucket   = module.artifacts.bucket.name
  kms_key_arn = module.kms.key.arn
}

module "validator" {
  source = "../../modules/validator"

  name_prefix       = local.name_prefix
  package_path      = "${local.artifacts_dir}/lambdas/validator.zip"
  layer_arns        = [module.runtime_layer.layer.arn]
  kms_key_arn       = module.kms.key.arn
  landing           = { bucket = module.landing.bucket, event_rule = module.landing.event_rule }
  state_machine_arn = module.orchestrator.state_machine.arn
  # Settings objects go to their module whole: it takes the fields it declares (Terraform
  # drops the others) and null fields take its defaults.
  settings = var.validator
  tags     = merge(var.tags, { component = "validator" })

  # Each landed version is kept as landed, under Object Lock, before it is validated.
  raw_bucket = {
    name   = module.data_lake.buckets.raw.name
    arn    = module.data_lake.buckets.raw.arn
    prefix = "${module.data_lake.buckets.raw.prefix}/"
  }
}

module "data_lake" {
  source = "../../modules/data-lake"

  name_prefix       = local.name_prefix
  kms_key_arn       = module.kms.key.arn
  access_log_bucket = module.access_logs.bucket.name
  settings          = var.lake
  lake_formation    = var.lake.lake_formation
  raw               = var.raw
  # the catalog registers what the current job writes: its prefix and format, defaults applied
  current_tables = {
    prefix       = module.glue_etl.current_tables.prefix
    table_format = module.glue_etl.current_tables.table_format
  }
  tags = merge(var.tags, { component = "data-lake" })
}

# Build outputs the jobs run from (tools/build.py -> dist/), plus Glue's TempDir and the
# EMR Serverless job logs.
module "artifacts" {
  source = "../../modules/s3-bucket"

  name          = "${local.name_prefix}-artifacts-${local.account_id}"
  kms_key_arn   = module.kms.key.arn
  versioning    = true
  force_destroy = var.artifacts.force_destroy
  tags          = merge(var.tags, { component = "artifacts" })

  logging = {
    target_bucket = module.access_logs.bucket.name
    target_prefix = "s3/${local.name_prefix}-artifacts-${local.account_id}/"
  }

  # Disjoint prefixes: one rule per prefix, no whole-bucket rule beside them.
  lifecycle_rules = {
    glue = {
      prefix                     = "glue/"
      noncurrent_expiration_days = var.artifacts.noncurrent_expiration_days
    }
    emr-logs = {
      prefix                     = "emr/logs/"
      expiration_days            = var.artifacts.log_expiration_days
      noncurrent_expiration_days = 1
    }
  }
}

resource "aws_s3_object" "artifact" {
  for_each = local.job_artifacts

  bucket       = module.artifacts.bucket.name
  key          = each.key
  source       = "${local.artifacts_dir}/${each.key}"
  content_type = each.value
  # The content hash, not mtime: a byte-identical rebuild uploads nothing (the reproducible
  # build makes unchanged source byte-identical).
  source_hash            = filemd5("${local.artifacts_dir}/${each.key}")
  server_side_encryption = "aws:kms"
  kms_key_id             = module.kms.key.arn
  tags                   = merge(var.tags, { component = "artifacts" })
}

# The curate job, whichever engine runs it: its code, its key and its one data-access policy.
module "spark_job" {
  source = "../../modules/spark-job"

  kms_key_arn           = module.kms.key.arn
  artifacts_bucket_name = module.artifacts.bucket.name
  script_key            = aws_s3_object.artifact["glue/jobs/curate.py"].key
  library_key           = aws_s3_object.artifact["glue/taxlake.zip"].key
  landing_bucket_name   = module.landing.bucket.name
  validated_prefix      = module.landing.bucket.prefixes.validated
  curated_bucket_name   = module.data_lake.buckets.curated.name
  curated_prefix        = module.data_lake.buckets.curated.prefix
}

module "glue_etl" {
  source = "../../modules/glue-etl"

  name_prefix        = local.name_prefix
  job                = module.spark_job.job
  current_script_key = aws_s3_object.artifact["glue/jobs/current.py"].key
  current_tables     = var.glue.current_tables
  tags               = merge(var.tags, { component = "glue-etl" })

  # not var.glue whole: its execution_class is the pipeline's per-run choice, not the job's
  settings = {
    worker_type       = var.glue.worker_type
    number_of_workers = var.glue.number_of_workers
    timeout_minutes   = var.glue.timeout_minutes
    max_concurrency   = var.glue.max_concurrency
  }
}

module "emr_serverless" {
  source = "../../modules/emr-serverless"

  name_prefix = local.name_prefix
  job         = module.spark_job.job
  network     = var.emr.network
  tags        = merge(var.tags, { component = "emr-serverless" })

  settings = var.emr
}

module "orchestrator" {
  source = "../../modules/orchestrator"

  name_prefix   = local.name_prefix
  package_path  = "${local.artifacts_dir}/lambdas/pipeline.zip"
  layer_arns    = [module.runtime_layer.layer.arn]
  kms_key_arn   = module.kms.key.arn
  glue_job_name = module.glue_etl.job.name
  tags          = merge(var.tags, { component = "pipeline" })

  emr = module.emr_serverless.job_run

  lake = {
    landing   = { name = module.landing.bucket.name, validated_prefix = module.landing.bucket.prefixes.validated }
    curated   = module.data_lake.buckets.curated
    analytics = module.data_lake.buckets.analytics
    database  = module.data_lake.catalog.database.name
    tables    = { for kind, t in module.data_lake.catalog.tables : kind => t.name }
  }

  routing = var.pipeline.routing

  glue_sizing = var.glue

  fraud             = var.pipeline.fraud
  metrics_namespace = var.pipeline.metrics_namespace
  lambda            = var.pipeline.lambda
  lambda_path       = var.pipeline.lambda_path

  state_machine = var.pipeline
}

# Alarms on what the platform emits, the pipeline's health record, and where alerts go.
module "observability" {
  source = "../../modules/observability"

  name_prefix   = local.name_prefix
  package_path  = "${local.artifacts_dir}/lambdas/pipeline.zip"
  layer_arns    = [module.runtime_layer.layer.arn]
  kms_key_arn   = module.kms.key.arn
  state_machine = { name = module.orchestrator.state_machine.name, arn = module.orchestrator.state_machine.arn }
  kinds         = keys(module.data_lake.catalog.tables)
  tags          = merge(var.tags, { component = "observability" })

  # the namespaces the functions were given, so the alarms watch what they emit
  namespaces = {
    validator = module.validator.environment.POWERTOOLS_METRICS_NAMESPACE
    pipeline  = module.orchestrator.function_environments["metrics"].POWERTOOLS_METRICS_NAMESPACE
  }
  validator_service = module.validator.environment.POWERTOOLS_SERVICE_NAME

  functions = merge(
    { validator = module.validator.function.name },
    { for step, f in module.orchestrator.functions : step => f.name },
  )
  dead_letter_queues = { validator = module.validator.dlq.arn }

  subscriptions = var.observability.subscriptions
  # an environment's tables are all protected or all disposable, as its validator's is
  settings = merge(var.observability.settings, {
    deletion_protection = module.validator.idempotency_table.deletion_protection
  })
}
