# The current tables (one row per key, amendments applied), written by the glue-etl
# module's current job under <curated bucket>/<prefix>/<kind>/, partitioned by tax_year.
# Delta: Athena reads the schema and files from the transaction log (table_type DELTA);
# the columns here are for the catalog's readers. Parquet: a Hive table with projection.

locals {
  current = {
    for kind, spec in local.curated_tables : kind => {
      name     = "current_${replace(kind, "-", "_")}"
      location = "s3://${local.curated_name}/${var.current_tables.prefix}/${kind}/"
      # partitioned by tax_year alone: the curated tables' other partition keys are columns here
      columns = concat(spec.columns, [for p in spec.partition_keys : p if p.name != "tax_year"])
      parameters = var.current_tables.table_format == "delta" ? {
        EXTERNAL                     = "TRUE"
        table_type                   = "DELTA"
        classification               = "delta"
        "spark.sql.sources.provider" = "delta"
        } : {
        EXTERNAL                    = "TRUE"
        classification              = "parquet"
        "projection.enabled"        = "true"
        "projection.tax_year.type"  = local.projection.tax_year.type
        "projection.tax_year.range" = local.projection.tax_year.range
        "storage.location.template" = "s3://${local.curated_name}/${var.current_tables.prefix}/${kind}/tax_year=$${tax_year}"
      }
    }
  }
}

resource "aws_glue_catalog_table" "current" {
  for_each = local.current

  name          = each.value.name
  database_name = aws_glue_catalog_database.this.name
  description   = "Current ${each.key} rows (${var.current_tables.table_format}): the latest lodgement per key, amendments applied."
  table_type    = "EXTERNAL_TABLE"
  parameters    = each.value.parameters

  partition_keys {
    name = "tax_year"
    type = "int"
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
}
