
locals {
  name        = "${var.name_prefix}-curate"
  logs_prefix = "emr/logs/"
  log_uri     = "s3://${var.job.artifacts.name}/${local.logs_prefix}"
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
