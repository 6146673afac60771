# The data-lake module's tests, one file so that its inputs and mocks are stated once:
# the lake zones and catalog, the raw zone, the current tables and Lake Formation.
mock_provider "aws" {
  source = "../../tests/terraform/mocks"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/taxlake-test-lakeformation" }
  }
}

variables {
  name_prefix       = "taxlake-test"
  kms_key_arn       = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  access_log_bucket = "taxlake-test-access-logs-123456789012"
  tags              = { owner = "tests" }
}

# --- data lake ----------------------------------------------------------------
# The lake: two KMS buckets with per-zone lifecycle and access logs, one Glue database,
# and one parquet table per kind in curated_tables.json with Athena partition projection.
run "names_and_buckets" {
  command = apply

  assert {
    condition = (
      output.buckets.curated.name == "taxlake-test-curated-123456789012" &&
      output.buckets.analytics.name == "taxlake-test-analytics-123456789012" &&
      output.buckets.curated.arn == "arn:aws:s3:::taxlake-test-curated-123456789012" &&
      output.buckets.analytics.arn == "arn:aws:s3:::taxlake-test-analytics-123456789012"
    )
    error_message = "Lake buckets must be <name_prefix>-curated|analytics-<account>."
  }

  assert {
    condition     = output.catalog.database.name == "taxlake_test_lake"
    error_message = "The database must be name_prefix with underscores, suffixed _lake."
  }

  assert {
    condition     = { for k, t in output.catalog.tables : k => t.name } == { lodgement = "curated_lodgement", bas = "curated_bas", "payer-report" = "curated_payer_report" }
    error_message = "One table per kind, curated_<kind with underscores>, keyed by kind."
  }

  assert {
    condition = { curated = output.lifecycle_rules.curated, analytics = output.lifecycle_rules.analytics } == {
      curated = {
        curated-tiering = {
          transitions                     = [{ days = 0, storage_class = "INTELLIGENT_TIERING" }]
          noncurrent_expiration_days      = 90
          abort_incomplete_multipart_days = 7
        }
      }
      analytics = {
        analytics-tiering = {
          transitions                     = [{ days = 0, storage_class = "INTELLIGENT_TIERING" }]
          noncurrent_expiration_days      = 90
          abort_incomplete_multipart_days = 7
        }
      }
    }
    error_message = "By default each zone tiers objects at once and keeps superseded versions 90 days."
  }
}

run "tables_follow_the_contract" {
  command = plan

  assert {
    condition = alltrue([for kind, t in aws_glue_catalog_table.this : (
      t.table_type == "EXTERNAL_TABLE" &&
      t.database_name == "taxlake_test_lake" &&
      one(t.storage_descriptor).location == "s3://taxlake-test-curated-123456789012/curated/${kind}/" &&
      one(t.storage_descriptor).input_format == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat" &&
      one(t.storage_descriptor).output_format == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat" &&
      one(one(t.storage_descriptor).ser_de_info).serialization_library == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )])
    error_message = "Every table must be an external parquet table at s3://<curated bucket>/curated/<kind>/."
  }

  assert {
    condition = alltrue([for kind, spec in jsondecode(file("curated_tables.json")) : (
      jsonencode([for c in one(aws_glue_catalog_table.this[kind].storage_descriptor).columns : { name = c.name, type = c.type }]) == jsonencode(spec.columns) &&
      jsonencode([for p in aws_glue_catalog_table.this[kind].partition_keys : { name = p.name, type = p.type }]) == jsonencode(spec.partition_keys)
    )])
    error_message = "Columns and partition keys must be exactly curated_tables.json's, in order."
  }

  assert {
    condition = [for p in aws_glue_catalog_table.this["lodgement"].partition_keys : "${p.name}:${p.type}"] == ["tax_year:int", "lodgement_month:string"] && [
      for p in aws_glue_catalog_table.this["payer-report"].partition_keys : "${p.name}:${p.type}"
    ] == ["tax_year:int"]
    error_message = "lodgement is partitioned by tax_year and lodgement_month; payer-report by tax_year only."
  }

  assert {
    condition = aws_glue_catalog_table.this["lodgement"].parameters == tomap({
      EXTERNAL                                   = "TRUE"
      classification                             = "parquet"
      "projection.enabled"                       = "true"
      "projection.tax_year.type"                 = "integer"
      "projection.tax_year.range"                = "2000,2100"
      "projection.lodgement_month.type"          = "date"
      "projection.lodgement_month.range"         = "2000-01,NOW"
      "projection.lodgement_month.format"        = "yyyy-MM"
      "projection.lodgement_month.interval"      = "1"
      "projection.lodgement_month.interval.unit" = "MONTHS"
      "storage.location.template"                = "s3://taxlake-test-curated-123456789012/curated/lodgement/tax_year=$${tax_year}/lodgement_month=$${lodgement_month}"
    })
    error_message = "lodgement must project tax_year (2000-2100) and lodgement_month (monthly from 2000-01 to now) onto its S3 layout."
  }

  assert {
    condition = aws_glue_catalog_table.this["payer-report"].parameters == tomap({
      EXTERNAL                    = "TRUE"
      classification              = "parquet"
      "projection.enabled"        = "true"
      "projection.tax_year.type"  = "integer"
      "projection.tax_year.range" = "2000,2100"
      "storage.location.template" = "s3://taxlake-test-curated-123456789012/curated/payer-report/tax_year=$${tax_year}"
    })
    error_message = "payer-report must project tax_year only, under curated/payer-report/."
  }

  assert {
    condition     = aws_glue_catalog_table.this["bas"].parameters["storage.location.template"] == "s3://taxlake-test-curated-123456789012/curated/bas/tax_year=$${tax_year}/lodgement_month=$${lodgement_month}"
    error_message = "bas must project tax_year and lodgement_month."
  }
}

run "settings_per_zone" {
  command = plan

  variables {
    settings = {
      curated       = { intelligent_tiering_days = 30, noncurrent_expiration_days = 7 }
      analytics     = { noncurrent_expiration_days = 1 }
      force_destroy = true
    }
  }

  assert {
    condition = (
      output.lifecycle_rules.curated["curated-tiering"].noncurrent_expiration_days == 7 &&
      output.lifecycle_rules.curated["curated-tiering"].transitions[0].days == 30
    )
    error_message = "Curated settings must reach the curated bucket's lifecycle."
  }

  assert {
    condition = (
      output.lifecycle_rules.analytics["analytics-tiering"].noncurrent_expiration_days == 1 &&
      output.lifecycle_rules.analytics["analytics-tiering"].transitions[0].days == 0
    )
    error_message = "Analytics settings must reach the analytics bucket's lifecycle, unset fields keeping their defaults."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # zero day noncurrent expiry
    settings = { analytics = { noncurrent_expiration_days = 0 } }

    # force destroy of compliance locked files
    raw = { force_destroy = true }
  }

  expect_failures = [
    var.settings,
    var.raw,
  ]
}

run "analytics_tables_follow_the_contract" {
  command = plan

  assert {
    condition     = toset(keys(aws_glue_catalog_table.analytics)) == toset(["quality_metrics", "fraud_flags"]) && alltrue([for name, t in aws_glue_catalog_table.analytics : t.name == name && t.database_name == "taxlake_test_lake" && t.table_type == "EXTERNAL_TABLE"])
    error_message = "The analytics zone must have external tables quality_metrics and fraud_flags in the lake database."
  }

  assert {
    condition     = { for k, t in output.catalog.analytics_tables : k => t.name } == { quality_metrics = "quality_metrics", fraud_flags = "fraud_flags" }
    error_message = "analytics_table_names must name both analytics tables, keyed by table."
  }

  assert {
    condition = alltrue([for name, spec in jsondecode(file("analytics_tables.json")) : (
      jsonencode([for c in one(aws_glue_catalog_table.analytics[name].storage_descriptor).columns : { name = c.name, type = c.type }]) == jsonencode(spec.columns) &&
      jsonencode([for p in aws_glue_catalog_table.analytics[name].partition_keys : { name = p.name, type = p.type }]) == jsonencode(spec.partition_keys)
    )])
    error_message = "Columns and partition keys must be exactly analytics_tables.json's, in order."
  }

  assert {
    condition = (
      one(aws_glue_catalog_table.analytics["quality_metrics"].storage_descriptor).location == "s3://taxlake-test-analytics-123456789012/quality_metrics/" &&
      one(aws_glue_catalog_table.analytics["fraud_flags"].storage_descriptor).location == "s3://taxlake-test-analytics-123456789012/fraud_flags/" &&
      alltrue([for t in aws_glue_catalog_table.analytics : one(one(t.storage_descriptor).ser_de_info).serialization_library == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"])
    )
    error_message = "Analytics tables must be parquet tables in the analytics bucket, under quality_metrics/ and fraud_flags/."
  }

  assert {
    condition = aws_glue_catalog_table.analytics["quality_metrics"].parameters == tomap({
      EXTERNAL                    = "TRUE"
      classification              = "parquet"
      "projection.enabled"        = "true"
      "projection.kind.type"      = "enum"
      "projection.kind.values"    = "lodgement,bas,payer-report"
      "storage.location.template" = "s3://taxlake-test-analytics-123456789012/quality_metrics/kind=$${kind}"
    })
    error_message = "quality_metrics must project kind (an enum of the three kinds) onto quality_metrics/kind=<kind>/."
  }

  assert {
    condition     = aws_glue_catalog_table.analytics["fraud_flags"].parameters["storage.location.template"] == "s3://taxlake-test-analytics-123456789012/fraud_flags/$${kind}"
    error_message = "fraud_flags must project kind onto fraud_flags/<kind>/, where the fraud step writes."
  }

  assert {
    condition     = one([for c in one(aws_glue_catalog_table.analytics["fraud_flags"].storage_descriptor).columns : c.type if c.name == "score"]) == "double" && length([for c in one(aws_glue_catalog_table.analytics["quality_metrics"].storage_descriptor).columns : c if c.name == "kind"]) == 0
    error_message = "fraud_flags carries FLAG_SCHEMA's columns; kind is a partition key, never a column too."
  }
}

# --- raw ----------------------------------------------------------------------
# The raw zone: one Object Lock bucket keeping landed files as landed, with its own
# retention and lifecycle (variable raw), beside the curated and analytics zones.
run "raw_bucket_is_locked_for_seven_years_by_default" {
  command = apply

  assert {
    condition = (
      output.buckets.raw.name == "taxlake-test-raw-123456789012" &&
      output.buckets.raw.arn == "arn:aws:s3:::taxlake-test-raw-123456789012" &&
      output.buckets.raw.prefix == "raw"
    )
    error_message = "The raw bucket must be <name_prefix>-raw-<account>, files under raw/."
  }

  assert {
    condition     = output.buckets.raw.object_lock == { mode = "COMPLIANCE", days = 2555 }
    error_message = "By default every raw object version is locked in COMPLIANCE mode for 2555 days (7 years)."
  }

  assert {
    # jsonencode compares values: the module's typed lists and nulls differ in type from literals
    condition = jsonencode(output.lifecycle_rules.raw) == jsonencode({
      raw-tiering = {
        transitions                     = [{ days = 0, storage_class = "INTELLIGENT_TIERING" }]
        expiration_days                 = null
        noncurrent_expiration_days      = null
        abort_incomplete_multipart_days = 7
      }
    })
    error_message = "By default raw files tier at once and are never expired by lifecycle."
  }
}

run "raw_settings_reach_the_bucket" {
  command = plan

  variables {
    raw = {
      object_lock_mode           = "GOVERNANCE"
      retention_days             = 30
      intelligent_tiering_days   = 0
      deep_archive_days          = 180
      expiration_days            = 400
      noncurrent_expiration_days = 1
      force_destroy              = true
    }
  }

  assert {
    condition     = output.buckets.raw.object_lock == { mode = "GOVERNANCE", days = 30 }
    error_message = "raw.object_lock_mode and raw.retention_days must reach the bucket's default retention."
  }

  assert {
    condition = output.lifecycle_rules.raw == {
      raw-tiering = {
        transitions                     = [{ days = 0, storage_class = "INTELLIGENT_TIERING" }, { days = 180, storage_class = "DEEP_ARCHIVE" }]
        expiration_days                 = 400
        noncurrent_expiration_days      = 1
        abort_incomplete_multipart_days = 7
      }
    }
    error_message = "Tiering, Deep Archive, expiry and noncurrent expiry must reach the raw lifecycle rule."
  }
}

run "rejects_invalid_inputs_2" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # unknown lock mode
    raw = { object_lock_mode = "NONE" }
  }

  expect_failures = [
    var.raw,
  ]
}

run "rejects_fractional_retention" {
  command = plan

  variables {
    raw = { retention_days = 1.5 }
  }

  expect_failures = [var.raw]
}

run "rejects_expiry_before_retention_ends" {
  command = plan

  variables {
    raw = { retention_days = 2555, expiration_days = 365 }
  }

  expect_failures = [var.raw]
}

run "rejects_deep_archive_before_tiering" {
  command = plan

  variables {
    raw = { intelligent_tiering_days = 30, deep_archive_days = 30 }
  }

  expect_failures = [var.raw]
}

run "rejects_zero_day_raw_noncurrent_expiry" {
  command = plan

  variables {
    raw = { noncurrent_expiration_days = 0 }
  }

  expect_failures = [var.raw]
}

# --- current tables -----------------------------------------------------------
# The current tables in the catalog: Delta by default (Athena reads the log), a projected
# Hive table when the job writes plain parquet; both name exactly the job's location.
run "current_tables_are_delta_by_default" {
  command = apply

  assert {
    condition     = { for k, t in output.catalog.current_tables : k => t.name } == { bas = "current_bas", lodgement = "current_lodgement", payer-report = "current_payer_report" }
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

# --- lake formation -----------------------------------------------------------
# Lake Formation: off by default; when on, the curated and analytics buckets are
# registered in hybrid mode through a module role limited to those buckets and the key.
run "lake_formation_is_off_by_default" {
  command = plan

  assert {
    condition     = length(aws_lakeformation_resource.this) == 0 && length(module.lake_formation_role) == 0 && output.lake_formation.role_arn == null
    error_message = "Without lake_formation.enabled nothing is registered and no role is made."
  }
}

run "lake_formation_registers_the_table_zones_in_hybrid_mode" {
  command = apply

  variables {
    lake_formation = { enabled = true }
  }

  assert {
    condition = output.lake_formation.locations == {
      curated   = "arn:aws:s3:::taxlake-test-curated-123456789012"
      analytics = "arn:aws:s3:::taxlake-test-analytics-123456789012"
    }
    error_message = "The curated and analytics buckets (where the tables live) must be registered; raw has no tables."
  }

  assert {
    condition = alltrue([for r in aws_lakeformation_resource.this : (
      r.hybrid_access_enabled && r.role_arn == "arn:aws:iam::123456789012:role/taxlake-test-lakeformation" && r.use_service_linked_role != true
    )])
    error_message = "Locations must be hybrid (IAM access keeps working) and reached through the module role, which can use the lake key."
  }

  assert {
    condition = { for s in data.aws_iam_policy_document.lake_formation.statement : s.sid => { actions = s.actions, resources = s.resources } } == {
      ReadWriteLocations = { actions = toset(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]), resources = toset(["arn:aws:s3:::taxlake-test-curated-123456789012/*", "arn:aws:s3:::taxlake-test-analytics-123456789012/*"]) }
      ListLocations      = { actions = toset(["s3:ListBucket"]), resources = toset(["arn:aws:s3:::taxlake-test-curated-123456789012", "arn:aws:s3:::taxlake-test-analytics-123456789012"]) }
      UseLakeKey         = { actions = toset(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]), resources = toset([var.kms_key_arn]) }
    }
    error_message = "The role reaches only the two registered buckets and the lake key."
  }
}

run "lake_formation_can_take_over_entirely" {
  command = plan

  variables {
    lake_formation = { enabled = true, hybrid_access = false }
  }

  assert {
    condition     = alltrue([for r in aws_lakeformation_resource.this : !r.hybrid_access_enabled])
    error_message = "hybrid_access = false must register the locations in Lake Formation mode."
  }
}
