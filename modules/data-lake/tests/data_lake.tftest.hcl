# The lake: two KMS buckets with per-zone lifecycle and access logs, one Glue database,
# and one parquet table per kind in curated_tables.json with Athena partition projection.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix       = "taxlake-test"
  kms_key_arn       = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  access_log_bucket = "taxlake-test-access-logs-123456789012"
  tags              = { owner = "tests" }
}

run "names_and_buckets" {
  command = apply

  assert {
    condition = (
      output.curated_bucket_name == "taxlake-test-curated-123456789012" &&
      output.analytics_bucket_name == "taxlake-test-analytics-123456789012" &&
      output.curated_bucket_arn == "arn:aws:s3:::taxlake-test-curated-123456789012" &&
      output.analytics_bucket_arn == "arn:aws:s3:::taxlake-test-analytics-123456789012"
    )
    error_message = "Lake buckets must be <name_prefix>-curated|analytics-<account>."
  }

  assert {
    condition     = output.database_name == "taxlake_test_lake"
    error_message = "The database must be name_prefix with underscores, suffixed _lake."
  }

  assert {
    condition     = output.table_names == { lodgement = "curated_lodgement", bas = "curated_bas", "payer-report" = "curated_payer_report" }
    error_message = "One table per kind, curated_<kind with underscores>, keyed by kind."
  }

  assert {
    condition = output.lifecycle_rules == {
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

  assert {
    condition     = output.force_destroy == false
    error_message = "Lake buckets must survive a destroy by default."
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

  assert {
    condition     = output.force_destroy
    error_message = "force_destroy must reach the buckets."
  }
}

run "rejects_zero_day_noncurrent_expiry" {
  command = plan

  variables {
    settings = { analytics = { noncurrent_expiration_days = 0 } }
  }

  expect_failures = [var.settings]
}

run "analytics_tables_follow_the_contract" {
  command = plan

  assert {
    condition     = toset(keys(aws_glue_catalog_table.analytics)) == toset(["quality_metrics", "fraud_flags"]) && alltrue([for name, t in aws_glue_catalog_table.analytics : t.name == name && t.database_name == "taxlake_test_lake" && t.table_type == "EXTERNAL_TABLE"])
    error_message = "The analytics zone must have external tables quality_metrics and fraud_flags in the lake database."
  }

  assert {
    condition     = output.analytics_table_names == { quality_metrics = "quality_metrics", fraud_flags = "fraud_flags" }
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
