data "aws_caller_identity" "current" {}

locals {
  account_id    = data.aws_caller_identity.current.account_id
  curated_name  = "${var.name_prefix}-curated-${local.account_id}"
  database_name = "${replace(var.name_prefix, "-", "_")}_lake"
  curated_root  = "curated"

  # The curation contract (src/taxlake/lake/curate.py writes exactly these columns and
  # partitions); kept as data so the catalog and the writer are checked against one file.
  curated_tables = jsondecode(file("${path.module}/curated_tables.json"))

  # The analytics contract (taxlake.quality.analytics_glue_tables(); a unit test keeps them equal).
  analytics_tables = jsondecode(file("${path.module}/analytics_tables.json"))
  analytics_name   = "${var.name_prefix}-analytics-${local.account_id}"

  # Where the pipeline writes each analytics table under the analytics bucket: the quality
  # step uses Hive-style kind=<kind>/, the fraud step (older) plain <kind>/; the projection
  # template absorbs the difference.
  analytics_layout = {
    quality_metrics = { root = "quality_metrics", partition_dir = "kind=$${kind}" }
    fraud_flags     = { root = "fraud_flags", partition_dir = "$${kind}" }
  }

  # Athena partition projection per partition key: no partitions to register for Athena,
  # and any tax year or month that exists on S3 is queryable at once.
  projection = {
    tax_year = {
      type  = "integer"
      range = "2000,2100"
    }
    lodgement_month = {
      type            = "date"
      range           = "2000-01,NOW"
      format          = "yyyy-MM"
      interval        = "1"
      "interval.unit" = "MONTHS"
    }
    kind = {
      type   = "enum"
      values = "lodgement,bas,payer-report"
    }
  }

  tables = {
    for kind, spec in local.curated_tables : kind => {
      name           = "curated_${replace(kind, "-", "_")}"
      location       = "s3://${local.curated_name}/${local.curated_root}/${kind}/"
      columns        = spec.columns
      partition_keys = spec.partition_keys
      parameters = merge(
        {
          EXTERNAL             = "TRUE"
          classification       = "parquet"
          "projection.enabled" = "true"
          # $${...} renders a literal ${...}: Athena fills it in, not Terraform.
          "storage.location.template" = "s3://${local.curated_name}/${local.curated_root}/${kind}/${join("/", [for p in spec.partition_keys : "${p.name}=$${${p.name}}"])}"
        },
        merge([
          for p in spec.partition_keys : {
            for setting, value in local.projection[p.name] : "projection.${p.name}.${setting}" => value
          }
        ]...)
      )
    }
  }

  analytics_catalog = {
    for name, spec in local.analytics_tables : name => {
      location       = "s3://${local.analytics_name}/${local.analytics_layout[name].root}/"
      columns        = spec.columns
      partition_keys = spec.partition_keys
      parameters = merge(
        {
          EXTERNAL                    = "TRUE"
          classification              = "parquet"
          "projection.enabled"        = "true"
          "storage.location.template" = "s3://${local.analytics_name}/${local.analytics_layout[name].root}/${local.analytics_layout[name].partition_dir}"
        },
        merge([
          for p in spec.partition_keys : {
            for setting, value in local.projection[p.name] : "projection.${p.name}.${setting}" => value
          }
        ]...)
      )
    }
  }

  # One whole-bucket rule per zone (each zone is its own bucket).
  buckets = {
    for zone, cfg in { curated = var.settings.curated, analytics = var.settings.analytics } : zone => {
      name                     = "${var.name_prefix}-${zone}-${local.account_id}"
      lifecycle_rules = {
        "${zone}-tiering" = {
          transitions                     = [{ days = cfg.intelligent_tiering_days, storage_class = "INTELLIGENT_TIERING" }]
          noncurrent_expiration_days      = cfg.noncurrent_expiration_days
          abort_incomplete_multipart_days = 7
        }
      }
    }
  }
}

module "bucket" {
  source   = "../s3-bucket"
  for_each = local.buckets

  name            = each.value.name
  kms_key_arn     = var.kms_key_arn
  versioning      = true
  force_destroy   = var.settings.force_destroy
  lifecycle_rules = each.value.lifecycle_rules
  tags            = merge(var.tags, { zone = each.key })

  logging = {
    target_bucket = var.access_log_bucket
    target_prefix = "s3/${each.value.name}/"
  }
}

resource "aws_glue_catalog_database" "this" {
  name        = local.database_name
  description = "taxlake curated lake: one table per lodgement kind, partitioned by tax year (and lodgement month)."
  tags        = var.tags
}

resource "aws_glue_catalog_table" "this" {
  for_each = local.tables

  name          = each.value.name
  database_name = aws_glue_catalog_database.this.name
  description   = "Curated ${each.key} records (parquet) written by the pipeline."
  table_type    = "EXTERNAL_TABLE"
  parameters    = each.value.parameters

  dynamic "partition_keys" {
    for_each = each.value.partition_keys

    content {
      name = partition_keys.value.name
      type = partition_keys.value.type
    }
  }

  storage_descriptor {
    location      = each.value.location
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters            = { "serialization.format" = "1" }
    }

    dynamic "columns" {
      for_each = each.value.columns

      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for p in each.value.partition_keys : contains(keys(local.projection), p.name)])
      error_message = "curated_tables.json names a partition key with no projection settings in modules/data-lake (known: tax_year, lodgement_month)."
    }
  }
}

# The analytics zone's tables: quality_metrics (one row per file and metric, from the
# quality step) and fraud_flags (taxlake.fraud.FLAG_SCHEMA), both partitioned by kind.
resource "aws_glue_catalog_table" "analytics" {
  for_each = local.analytics_catalog

  name          = each.key
  database_name = aws_glue_catalog_database.this.name
  description   = "Analytics ${each.key} (parquet) written by the pipeline, partitioned by kind."
  table_type    = "EXTERNAL_TABLE"
  parameters    = each.value.parameters

  dynamic "partition_keys" {
    for_each = each.value.partition_keys

    content {
      name = partition_keys.value.name
      type = partition_keys.value.type
    }
  }

  storage_descriptor {
    location      = each.value.location
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters            = { "serialization.format" = "1" }
    }

    dynamic "columns" {
      for_each = each.value.columns

      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for p in each.value.partition_keys : contains(keys(local.projection), p.name)]) && contains(keys(local.analytics_layout), each.key)
      error_message = "analytics_tables.json names a table without a layout or a partition key without projection settings in modules/data-lake."
    }
  }
}
