variable "name_prefix" {
  description = "Prefix for resource names; the job, its role and security configuration become <name_prefix>-curate; its format and length are validated once, where it is derived (terraform/platform)."
  type        = string
  nullable    = false
}

variable "tags" {
  description = "Tags applied to every taggable resource in the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "job" {
  description = "The curate job this module runs: modules/spark-job's job output (its data-access policy, key, artifacts bucket, script and library URIs and curated location), the same for both engines."
  type = object({
    policy_json = string
    kms_key_arn = string
    artifacts   = object({ name = string, arn = string })
    script      = string
    library     = string
    curated     = object({ bucket_name = string, arn = string, prefix = string })
  })
  nullable = false
}

variable "settings" {
  description = "Default sizing, run limits and execution class of the job (the state machine overrides workers and class per run)."
  type = object({
    worker_type       = optional(string, "G.1X")
    number_of_workers = optional(number, 2)
    execution_class   = optional(string, "STANDARD")
    timeout_minutes   = optional(number, 120)
    max_concurrency   = optional(number, 20)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["G.1X", "G.2X"], var.settings.worker_type)
    error_message = "settings.worker_type must be G.1X or G.2X (the types Flex runs on and the routing sizes for)."
  }

  validation {
    condition     = var.settings.number_of_workers >= 2 && var.settings.number_of_workers <= 299 && floor(var.settings.number_of_workers) == var.settings.number_of_workers
    error_message = "settings.number_of_workers must be a whole number from 2 (Glue's minimum for G workers) to 299."
  }

  validation {
    condition     = contains(["STANDARD", "FLEX"], var.settings.execution_class)
    error_message = "settings.execution_class must be STANDARD or FLEX."
  }

  validation {
    condition     = var.settings.timeout_minutes >= 1 && var.settings.timeout_minutes <= 2880 && floor(var.settings.timeout_minutes) == var.settings.timeout_minutes
    error_message = "settings.timeout_minutes must be a whole number from 1 to 2880 (48 hours)."
  }

  validation {
    condition     = var.settings.max_concurrency >= 1 && var.settings.max_concurrency <= 1000 && floor(var.settings.max_concurrency) == var.settings.max_concurrency
    error_message = "settings.max_concurrency must be a whole number from 1 to 1000."
  }
}

variable "current_tables" {
  description = "The current-tables job (src/glue/current.py): the single writer that merges newly curated sources into one-row-per-key tables under <curated bucket>/<prefix>/, on a schedule."
  type = object({
    enabled           = optional(bool, true)
    prefix            = optional(string, "current")
    table_format      = optional(string, "delta")
    schedule          = optional(string, "cron(0/15 * * * ? *)")
    schedule_enabled  = optional(bool, true)
    max_sources       = optional(number, 500)
    worker_type       = optional(string, "G.1X")
    number_of_workers = optional(number, 2)
    execution_class   = optional(string, "FLEX")
    timeout_minutes   = optional(number, 60)
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^[a-z0-9_-]+$", var.current_tables.prefix)) && var.current_tables.prefix != var.job.curated.prefix
    error_message = "current_tables.prefix must be one path segment of lower-case letters, digits, _ and -, and differ from curated_prefix (the job reads one and rewrites the other)."
  }

  validation {
    condition     = contains(["delta", "parquet"], var.current_tables.table_format)
    error_message = "current_tables.table_format must be delta (Glue 5's built-in Delta Lake) or parquet (dynamic partition overwrite; no transaction log)."
  }

  validation {
    condition     = can(regex("^cron\\(.+\\)$|^rate\\(.+\\)$", var.current_tables.schedule))
    error_message = "current_tables.schedule must be a Glue schedule expression, cron(...) or rate(...)."
  }

  validation {
    condition     = var.current_tables.max_sources >= 1 && floor(var.current_tables.max_sources) == var.current_tables.max_sources
    error_message = "current_tables.max_sources must be a whole number >= 1."
  }

  validation {
    condition = (
      contains(["G.1X", "G.2X"], var.current_tables.worker_type) &&
      contains(["STANDARD", "FLEX"], var.current_tables.execution_class) &&
      var.current_tables.number_of_workers >= 2 && var.current_tables.number_of_workers <= 299 && floor(var.current_tables.number_of_workers) == var.current_tables.number_of_workers &&
      var.current_tables.timeout_minutes >= 1 && var.current_tables.timeout_minutes <= 2880 && floor(var.current_tables.timeout_minutes) == var.current_tables.timeout_minutes
    )
    error_message = "current_tables: worker_type G.1X or G.2X, execution_class STANDARD or FLEX, number_of_workers a whole number 2-299, timeout_minutes a whole number 1-2880."
  }
}

variable "current_script_key" {
  description = "Key of the current-tables job script in the artifacts bucket."
  type        = string
  default     = "glue/jobs/current.py"
  nullable    = false

  validation {
    condition     = startswith(var.current_script_key, "glue/") && endswith(var.current_script_key, ".py")
    error_message = "current_script_key must be a .py key under glue/ (the role reads artifacts under glue/ only)."
  }
}
