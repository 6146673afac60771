locals {
  landing_arn   = "arn:${local.partition}:s3:::${var.lake.landing.name}"
  curated_arn   = "arn:${local.partition}:s3:::${var.lake.curated.name}"
  analytics_arn = "arn:${local.partition}:s3:::${var.lake.analytics.name}"
  glue_arn      = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
  emr_arn       = "arn:${local.partition}:emr-serverless:${local.region}:${local.account_id}"
  # SchemaDriftDetected goes to the account's default bus, where rules can route it.
  default_bus_arn = "arn:${local.partition}:events:${local.region}:${local.account_id}:event-bus/default"
  glue_table_arns = concat(
    ["${local.glue_arn}:catalog", "${local.glue_arn}:database/${var.lake.database}"],
    [for t in values(var.lake.tables) : "${local.glue_arn}:table/${var.lake.database}/${t}"],
  )

  curated_env = {
    CURATED_BUCKET = var.lake.curated.name
    CURATED_PREFIX = var.lake.curated.prefix
  }

  # The fraud rules' settings: the fraud step applies them, and validate-input hands them
  # to the Spark paths, which apply them to the rows they hold (the fraud step then
  # publishes those flags if the settings still match).
  fraud_env = {
    FRAUD_CONFIG = jsonencode(var.fraud)
  }


  # The process function spills a file's partitions to /tmp until its survivors are known:
  # 1.14x the file at 256 MB and at 1 GB (benchmarks/bench_routing.py). 1.25x leaves a margin;
  # derived from the routing threshold, so raising one raises the other.
  process_tmp_mb = max(512, ceil(var.routing.lambda_max_bytes * 1.25 / 1048576))

  # Reused statement shapes; every statement carries conditions so the list types unify.
  use_key = {
    sid        = "UseKey"
    actions    = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources  = [var.kms_key_arn]
    conditions = []
  }
  list_curated = {
    sid        = "ListCurated"
    actions    = ["s3:ListBucket"]
    resources  = [local.curated_arn]
    conditions = [{ test = "StringLike", variable = "s3:prefix", values = ["${var.lake.curated.prefix}/*"] }]
  }
  read_curated = {
    sid        = "ReadCurated"
    actions    = ["s3:GetObject"]
    resources  = ["${local.curated_arn}/${var.lake.curated.prefix}/*"]
    conditions = []
  }

  # One package, one handler per step; each step gets only its own environment and grants.
  functions = {
    validate-input = {
      handler = "handler.validate_input"
      environment = merge(local.fraud_env, {
        LANDING_BUCKET        = var.lake.landing.name
        VALIDATED_PREFIX      = var.lake.landing.validated_prefix
        CURATED_BUCKET        = var.lake.curated.name
        CURATED_PREFIX        = var.lake.curated.prefix
        GLUE_WORKER_TYPE      = var.glue_sizing.worker_type
        GLUE_MIN_WORKERS      = format("%d", var.glue_sizing.min_workers)
        GLUE_MAX_WORKERS      = format("%d", var.glue_sizing.max_workers)
        GLUE_BYTES_PER_WORKER = format("%d", var.glue_sizing.bytes_per_worker)
        GLUE_EXECUTION_CLASS  = var.glue_sizing.execution_class
        URGENT_KINDS          = join(",", var.glue_sizing.urgent_kinds)
      })
      statements = [
        {
          sid        = "ReadValidated"
          actions    = ["s3:GetObject"]
          resources  = ["${local.landing_arn}/${var.lake.landing.validated_prefix}*"]
          conditions = []
        },
        # Without s3:ListBucket on the bucket S3 answers a missing report 403 AccessDenied,
        # not 404, and the non-retryable ObjectNotFound path never fires. AWS documents the
        # 404 for a grant on the bucket; an s3:prefix condition is not documented to give it.
        {
          sid        = "ListLanding"
          actions    = ["s3:ListBucket"]
          resources  = [local.landing_arn]
          conditions = []
        },
        # The validation report is an SSE-KMS object: reading it needs the key.
        {
          sid        = "UseKey"
          actions    = ["kms:Decrypt"]
          resources  = [var.kms_key_arn]
          conditions = []
        },
      ]
      settings = {}
    }

    process = {
      handler     = "handler.process"
      environment = local.curated_env
      statements = [
        {
          sid        = "ReadValidated"
          actions    = ["s3:GetObject", "s3:GetObjectVersion"]
          resources  = ["${local.landing_arn}/${var.lake.landing.validated_prefix}*"]
          conditions = []
        },
        {
          sid        = "WriteCurated"
          actions    = ["s3:PutObject"]
          resources  = ["${local.curated_arn}/${var.lake.curated.prefix}/*"]
          conditions = []
        },
        local.use_key,
      ]
      settings = merge(var.lambda_path, { ephemeral_storage_mb = local.process_tmp_mb })
    }

    quality = {
      handler = "handler.quality"
      environment = merge(local.curated_env, {
        ANALYTICS_BUCKET       = var.lake.analytics.name
        QUALITY_PREFIX         = "quality"
        QUALITY_METRICS_PREFIX = "quality_metrics"
        QUALITY_HISTORY_SIZE   = format("%d", var.quality.history_size)
        QUALITY_MIN_HISTORY    = format("%d", var.quality.min_history)
        QUALITY_Z_THRESHOLD    = tostring(var.quality.z_threshold)
        GLUE_DATABASE          = var.lake.database
        TABLES                 = jsonencode(var.lake.tables)
      })
      statements = [
        local.list_curated,
        local.read_curated,
        # reports, and the history entries under quality/history/
        {
          sid        = "WriteQualityReports"
          actions    = ["s3:PutObject"]
          resources  = ["${local.analytics_arn}/quality/*"]
          conditions = []
        },
        {
          sid        = "ReadQualityHistory"
          actions    = ["s3:GetObject"]
          resources  = ["${local.analytics_arn}/quality/history/*"]
          conditions = []
        },
        {
          sid        = "ListQualityHistory"
          actions    = ["s3:ListBucket"]
          resources  = [local.analytics_arn]
          conditions = [{ test = "StringLike", variable = "s3:prefix", values = ["quality/history/*"] }]
        },
        {
          sid        = "WriteQualityMetrics"
          actions    = ["s3:PutObject"]
          resources  = ["${local.analytics_arn}/quality_metrics/*"]
          conditions = []
        },
        {
          sid        = "ReadRegisteredSchema"
          actions    = ["glue:GetTable"]
          resources  = local.glue_table_arns
          conditions = []
        },
        # Only this function's own event: source and detail-type are pinned.
        {
          sid       = "PutSchemaDriftEvents"
          actions   = ["events:PutEvents"]
          resources = [local.default_bus_arn]
          conditions = [
            { test = "StringEquals", variable = "events:source", values = ["taxlake.quality"] },
            { test = "StringEquals", variable = "events:detail-type", values = ["SchemaDriftDetected"] },
          ]
        },
        local.use_key,
      ]
      settings = {}
    }

    catalog = {
      handler = "handler.catalog"
      environment = merge(local.curated_env, {
        GLUE_DATABASE = var.lake.database
        TABLES        = jsonencode(var.lake.tables)
      })
      statements = [
        {
          sid        = "RegisterPartitions"
          actions    = ["glue:BatchCreatePartition", "glue:GetPartitions", "glue:GetTable"]
          resources  = local.glue_table_arns
          conditions = []
        },
      ]
      settings = {}
    }

    fraud = {
      handler = "handler.fraud"
      environment = merge(local.curated_env, local.fraud_env, {
        ANALYTICS_BUCKET = var.lake.analytics.name
        FRAUD_PREFIX     = "fraud_flags"
      })
      statements = [
        local.list_curated,
        local.read_curated,
        {
          sid        = "WriteFraudFlags"
          actions    = ["s3:PutObject"]
          resources  = ["${local.analytics_arn}/fraud_flags/*"]
          conditions = []
        },
        local.use_key,
      ]
      settings = {}
    }

    # EMF metrics are log lines: the module's log permissions are all it needs.
    metrics = {
      handler     = "handler.metrics"
      environment = {}
      statements  = []
      settings    = {}
    }

    failure = {
      handler = "handler.failure"
      environment = {
        ANALYTICS_BUCKET = var.lake.analytics.name
        FAILURE_PREFIX   = "failures"
      }
      statements = [
        {
          sid        = "WriteFailureReports"
          actions    = ["s3:PutObject"]
          resources  = ["${local.analytics_arn}/failures/*"]
          conditions = []
        },
        local.use_key,
      ]
      settings = {}
    }
  }
}

module "function" {
  source   = "../lambda-function"
  for_each = local.functions

  name_prefix  = var.name_prefix
  name         = "pipeline-${each.key}"
  description  = "taxlake pipeline step ${each.key} (${each.value.handler})."
  handler      = each.value.handler
  package_path = var.package_path
  layer_arns   = var.layer_arns
  kms_key_arn  = var.kms_key_arn
  statements   = each.value.statements
  tags         = var.tags

  environment = merge(each.value.environment, {
    POWERTOOLS_SERVICE_NAME      = "pipeline-${each.key}"
    POWERTOOLS_METRICS_NAMESPACE = var.metrics_namespace
  })

  # Step-specific settings (process: lambda_path) over the shared ones.
  settings = merge(var.lambda, { for k, v in each.value.settings : k => v if v != null })
}
