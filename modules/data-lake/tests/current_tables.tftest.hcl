# The current tables in the catalog: Delta by default (Athena reads the log), a projected
# Hive table when the job writes plain parquet; both name exactly the job's location.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix       = "taxlake-test"
  kms_key_arn       = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  access_log_bucket = "taxlake-test-access-logs-123456789012"
  tags              = { owner = "tests" }
}

run "current_tables_are_delta_by_default" {
  command = apply

  assert {
    condition     = output.current_table_names == { bas = "current_bas", lodgement = "current_lodgement", payer-report = "current_payer_report" }
    error_message = "One current_<kind> table per curated kind."
  }

  assert {
    condition = alltrue([for kind, t in aws_glue_catalog_table.current : (
      t.parameters.table_type == "DELTA" &&
      t.parameters["spark.sql.sources.provider"] == "delta" &&
      !contains(keys(t.parameters), "projection.enabled") &&
      one(t.storage_descriptor).location == "s3://taxlake-test-curated-123456789012/current/${kind}/"
    )])
    error_message = "Delta current tables must say DELTA and point at current/<kind>/ in the curated bucket."
  }

  assert {
    condition = alltrue([for kind, t in aws_glue_catalog_table.current : (
      [for p in t.partition_keys : p.name] == ["tax_year"] &&
      !contains([for c in one(t.storage_descriptor).columns : c.name], "tax_year") &&
      length(one(t.storage_descriptor).columns) == length(aws_glue_catalog_table.this[kind].storage_descriptor[0].columns) + length(aws_glue_catalog_table.this[kind].partition_keys) - 1
    )])
    error_message = "Current tables are partitioned by tax_year alone; every other curated column, lodgement_month included, is a column."
  }
}

run "current_tables_as_parquet_use_projection" {
  command = plan

  variables {
    current_tables = { prefix = "latest", table_format = "parquet" }
  }

  assert {
    condition = alltrue([for kind, t in aws_glue_catalog_table.current : (
      t.parameters.classification == "parquet" &&
      t.parameters["projection.enabled"] == "true" &&
      t.parameters["projection.tax_year.type"] == "integer" &&
      t.parameters["storage.location.template"] == "s3://taxlake-test-curated-123456789012/latest/${kind}/tax_year=$${tax_year}" &&
      !contains(keys(t.parameters), "table_type")
    )])
    error_message = "Parquet current tables must be projected Hive tables under the configured prefix."
  }
}

run "rejects_current_prefix_curated" {
  command = plan

  variables {
    current_tables = { prefix = "curated" }
  }

  expect_failures = [var.current_tables]
}

run "rejects_unknown_current_format" {
  command = plan

  variables {
    current_tables = { table_format = "hudi" }
  }

  expect_failures = [var.current_tables]
}
