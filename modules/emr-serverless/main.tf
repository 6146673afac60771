data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  name          = "${var.name_prefix}-curate"
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  artifacts_arn = "arn:${local.partition}:s3:::${var.artifacts_bucket_name}"
  logs_prefix   = "emr/logs/"

  # The Glue job script doubles as the Spark entry point: one curate job for both engines.
  entry_point = "s3://${var.artifacts_bucket_name}/${var.script_key}"
  py_files    = "s3://${var.artifacts_bucket_name}/${var.library_key}"
  log_uri     = "s3://${var.artifacts_bucket_name}/${local.logs_prefix}"
}

resource "aws_emrserverless_application" "this" {
  name          = local.name
  release_label = "emr-7.5.0" # Spark 3.5, as Glue 5.0
  type          = "spark"
  architecture  = "X86_64"
  tags          = var.tags

  maximum_capacity {
    cpu    = var.settings.maximum_cpu
    memory = var.settings.maximum_memory
  }

  dynamic "initial_capacity" {
    for_each = var.settings.initial_capacity

    content {
      initial_capacity_type = initial_capacity.key

      initial_capacity_config {
        worker_count = initial_capacity.value.worker_count

        worker_configuration {
          cpu    = initial_capacity.value.cpu
          memory = initial_capacity.value.memory
          disk   = initial_capacity.value.disk
        }
      }
    }
  }

  # Started by the first job run and stopped when idle: no capacity is billed between files.
  auto_start_configuration {
    enabled = true
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = var.settings.idle_timeout_minutes
  }

  dynamic "network_configuration" {
    for_each = var.network == null ? [] : [var.network]

    content {
      subnet_ids         = network_configuration.value.subnet_ids
      security_group_ids = network_configuration.value.security_group_ids
    }
  }
}
