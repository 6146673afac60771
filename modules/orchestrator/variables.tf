variable "name_prefix" {
  description = "Prefix for resource names: <name_prefix>-pipeline (state machine), <name_prefix>-pipeline-<step> (functions), <name_prefix>-alerts|notifications (topics); its format and length are validated once, where it is derived (terraform/platform)."
  type        = string
  nullable    = false
}

variable "tags" {
  description = "Tags applied to every taggable resource in the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "definition_path" {
  description = "Path to the <name>.asl.json template the state machine is rendered from, with the role's policy template <name>.policy.json beside it (`taxlake asl policy <name>.asl.json --placeholders`); null uses statemachines/tax_pipeline.asl.json of this repository."
  type        = string
  default     = null

  validation {
    condition     = var.definition_path == null || try(endswith(var.definition_path, ".asl.json") && fileexists(var.definition_path) && fileexists(replace(var.definition_path, "/\\.asl\\.json$/", ".policy.json")), false)
    error_message = "definition_path must be null or an existing <name>.asl.json template with its derived <name>.policy.json beside it (taxlake asl policy <name>.asl.json --placeholders)."
  }
}

variable "package_path" {
  description = "Path to the pipeline functions' zip (dist/lambdas/pipeline.zip); one package, one handler per step (checked by modules/lambda-function)."
  type        = string
  nullable    = false
}

variable "layer_arns" {
  description = "Versioned ARNs of the Lambda layers every pipeline function uses (the runtime layer)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of the platform key: state machine data, topics, log groups, function environments and the lake's SSE-KMS objects (modules/kms key_arn: a key ARN, not an alias)."
  type        = string
  nullable    = false
}

variable "lake" {
  description = "Where the pipeline reads and writes, as the zone modules output them (names and prefixes are checked there): landing { name, validated_prefix } (modules/landing), curated { name, prefix } and analytics { name } (modules/data-lake buckets: quality/, fraud_flags/, failures/ go to analytics), database and tables (the Glue table names of the curated tables, keyed by lodgement kind: modules/data-lake catalog)."
  type = object({
    landing   = object({ name = string, validated_prefix = string })
    curated   = object({ name = string, prefix = string })
    analytics = object({ name = string })
    database  = string
    tables    = map(string)
  })
  nullable = false

  validation {
    condition     = length(var.lake.tables) > 0
    error_message = "lake.tables must name at least one table."
  }
}

variable "glue_job_name" {
  description = "Name of the curate Glue job (modules/glue-etl)."
  type        = string
  nullable    = false
}

variable "emr" {
  description = "The EMR Serverless application and job-run settings the state machine passes (modules/emr-serverless outputs)."
  type = object({
    application_id     = string
    execution_role_arn = string
    entry_point        = string
    py_files           = string
    log_uri            = string
  })
  nullable = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::\\d{12}:role/.+$", var.emr.execution_role_arn))
    error_message = "emr.execution_role_arn must be an IAM role ARN."
  }

  validation {
    condition     = alltrue([for u in [var.emr.entry_point, var.emr.py_files, var.emr.log_uri] : startswith(u, "s3://")])
    error_message = "emr.entry_point, emr.py_files and emr.log_uri must be s3:// URIs."
  }
}

variable "routing" {
  description = "Size thresholds of the processing choice, in bytes: above emr_min_bytes EMR Serverless, at most lambda_max_bytes the Lambda path, Glue otherwise (and for structured input). See README \"Routing\"."
  type = object({
    emr_min_bytes    = optional(number, 1000000000)
    lambda_max_bytes = optional(number, 805306368)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.routing.lambda_max_bytes >= 1 && floor(var.routing.lambda_max_bytes) == var.routing.lambda_max_bytes && floor(var.routing.emr_min_bytes) == var.routing.emr_min_bytes
    error_message = "routing.lambda_max_bytes and routing.emr_min_bytes must be whole numbers of bytes, lambda_max_bytes at least 1."
  }

  validation {
    condition     = var.routing.lambda_max_bytes < var.routing.emr_min_bytes
    error_message = "routing.lambda_max_bytes must be below routing.emr_min_bytes: a file can't be small enough for Lambda and large enough for EMR (Glue takes what is between)."
  }

  validation {
    condition     = var.routing.lambda_max_bytes <= 8589934592
    error_message = "routing.lambda_max_bytes must be at most 8589934592 (8 GiB): the process function's /tmp is 1.25x the threshold and Lambda's is at most 10,240 MB."
  }
}

variable "glue_sizing" {
  description = "How validate-input sizes Glue runs: worker type, worker range, bytes per worker, execution class (FLEX unless the kind is urgent)."
  type = object({
    worker_type      = optional(string, "G.1X")
    min_workers      = optional(number, 2)
    max_workers      = optional(number, 10)
    bytes_per_worker = optional(number, 1073741824)
    execution_class  = optional(string, "FLEX")
    urgent_kinds     = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["G.1X", "G.2X"], var.glue_sizing.worker_type)
    error_message = "glue_sizing.worker_type must be G.1X or G.2X."
  }

  validation {
    condition     = var.glue_sizing.min_workers >= 2 && var.glue_sizing.max_workers >= var.glue_sizing.min_workers && floor(var.glue_sizing.min_workers) == var.glue_sizing.min_workers && floor(var.glue_sizing.max_workers) == var.glue_sizing.max_workers
    error_message = "glue_sizing.min_workers must be a whole number >= 2 and glue_sizing.max_workers a whole number >= min_workers."
  }

  validation {
    condition     = var.glue_sizing.bytes_per_worker >= 1048576 && floor(var.glue_sizing.bytes_per_worker) == var.glue_sizing.bytes_per_worker
    error_message = "glue_sizing.bytes_per_worker must be a whole number of bytes, at least 1 MiB."
  }

  validation {
    condition     = contains(["FLEX", "STANDARD"], var.glue_sizing.execution_class)
    error_message = "glue_sizing.execution_class must be FLEX or STANDARD."
  }

  validation {
    condition     = alltrue([for k in var.glue_sizing.urgent_kinds : contains(["lodgement", "bas", "payer-report"], k)])
    error_message = "glue_sizing.urgent_kinds may only name lodgement, bas and payer-report."
  }
}

variable "fraud" {
  description = "Fraud rule thresholds to change from taxlake.fraud's defaults (FraudConfig, where every threshold and its default is defined), by name: account_max_tfns, refund_ratio, high_score, deductions_z, deductions_min_peers, income_ratio, income_gap_floor, agent_max_daily, agent_z. They reach the functions as one JSON object (FRAUD_CONFIG); a threshold not named keeps the library's default."
  type        = map(number)
  default     = {}
  nullable    = false

  # The names FraudConfig reads (tests/unit/test_fraud.py holds this list to its fields).
  validation {
    condition     = length(setsubtract(keys(var.fraud), ["account_max_tfns", "refund_ratio", "high_score", "deductions_z", "deductions_min_peers", "income_ratio", "income_gap_floor", "agent_max_daily", "agent_z"])) == 0
    error_message = "fraud may only name account_max_tfns, refund_ratio, high_score, deductions_z, deductions_min_peers, income_ratio, income_gap_floor, agent_max_daily and agent_z."
  }

  # Checked at plan time, not first at a function's cold start: whole counts, positive
  # ratios and z-scores, scores and ratios within (0, 1].
  validation {
    condition = alltrue([for k, n in var.fraud : (
      contains(["account_max_tfns", "deductions_min_peers", "agent_max_daily"], k) ? n >= 1 && floor(n) == n :
      contains(["high_score", "income_ratio"], k) ? n > 0 && n <= 1 :
      k == "income_gap_floor" ? n >= 0 : n > 0
    )])
    error_message = "fraud.account_max_tfns, deductions_min_peers and agent_max_daily must be whole numbers >= 1; refund_ratio, deductions_z and agent_z > 0; high_score and income_ratio in (0, 1]; income_gap_floor >= 0."
  }
}

variable "quality" {
  description = "Anomaly detection of the quality step: how many recent files of a kind form the history, how many it needs before flagging, and the |robust z| above which a value is an anomaly."
  type = object({
    history_size = optional(number, 30)
    min_history  = optional(number, 5)
    z_threshold  = optional(number, 3.5)
  })
  default  = {}
  nullable = false

  validation {
    condition = (
      var.quality.min_history >= 1 && floor(var.quality.min_history) == var.quality.min_history &&
      var.quality.history_size >= var.quality.min_history && var.quality.history_size <= 400 && floor(var.quality.history_size) == var.quality.history_size &&
      var.quality.z_threshold > 0
    )
    error_message = "quality.min_history must be a whole number >= 1, quality.history_size a whole number from min_history to 400 (one S3 listing holds 2 x history_size + 1 keys), and quality.z_threshold > 0."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the functions' EMF metrics (POWERTOOLS_METRICS_NAMESPACE)."
  type        = string
  default     = "Taxlake"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9._/#:-]{1,255}$", var.metrics_namespace))
    error_message = "metrics_namespace must be 1-255 characters of letters, digits and . _ / # : -."
  }
}

variable "lambda" {
  description = "Settings every pipeline function shares (the lambda-function module's settings, which holds their defaults and checks them; null takes its default); lambda_path overrides memory and timeout of the process function."
  type = object({
    memory_mb            = optional(number)
    timeout_seconds      = optional(number)
    reserved_concurrency = optional(number, 50)
    log_retention_days   = optional(number)
    log_level            = optional(string)
    tracing              = optional(bool)
  })
  default  = {}
  nullable = false
}

variable "lambda_path" {
  description = "Memory and timeout of the process function, which curates files up to routing.lambda_max_bytes, streamed (spilling to its /tmp, sized 1.25x that threshold)."
  type = object({
    memory_mb       = optional(number, 3008)
    timeout_seconds = optional(number, 900)
  })
  default  = {}
  nullable = false
}

variable "state_machine" {
  description = "Logging and tracing of the state machine: retention of its execution log group in days, and X-Ray tracing."
  type = object({
    log_retention_days = optional(number, 365)
    tracing            = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.state_machine.log_retention_days)
    error_message = "state_machine.log_retention_days must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}
