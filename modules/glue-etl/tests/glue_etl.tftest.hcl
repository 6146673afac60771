# The curate job: Glue 5.0 Spark with the library from the artifacts bucket, every output
# KMS-encrypted, and a role that reads validated/, writes curated/ and nothing else.
mock_provider "aws" {
  source = "../../tests/terraform/mocks"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/taxlake-test-curate" }
  }
}

variables {
  name_prefix = "taxlake-test"
  tags        = { owner = "tests" }
  # what modules/spark-job gives both engines (its own tests hold its statements)
  job = {
    policy_json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"ReadValidated\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::taxlake-test-landing-123456789012/validated/*\"}]}"
    kms_key_arn = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
    artifacts   = { name = "taxlake-test-artifacts-123456789012", arn = "arn:aws:s3:::taxlake-test-artifacts-123456789012" }
    script      = "s3://taxlake-test-artifacts-123456789012/glue/jobs/curate.py"
    library     = "s3://taxlake-test-artifacts-123456789012/glue/taxlake.zip"
    curated     = { bucket_name = "taxlake-test-curated-123456789012", arn = "arn:aws:s3:::taxlake-test-curated-123456789012", prefix = "curated" }
  }
}

run "job_defaults" {
  command = apply

  assert {
    condition = (
      aws_glue_job.this.name == "taxlake-test-curate" &&
      aws_glue_job.this.glue_version == "5.0" &&
      aws_glue_job.this.worker_type == "G.1X" &&
      aws_glue_job.this.number_of_workers == 2 &&
      aws_glue_job.this.execution_class == "STANDARD" &&
      aws_glue_job.this.timeout == 120 &&
      aws_glue_job.this.max_retries == 0 &&
      one(aws_glue_job.this.execution_property).max_concurrent_runs == 20
    )
    error_message = "The job must be <name_prefix>-curate on Glue 5.0, 2 x G.1X STANDARD, 120 min, no Glue retries, 20 concurrent runs."
  }

  assert {
    condition = (
      one(aws_glue_job.this.command).name == "glueetl" &&
      one(aws_glue_job.this.command).python_version == "3" &&
      one(aws_glue_job.this.command).script_location == "s3://taxlake-test-artifacts-123456789012/glue/jobs/curate.py"
    )
    error_message = "The job must run glue/jobs/curate.py from the artifacts bucket as a Python 3 Spark job."
  }

  assert {
    condition = aws_glue_job.this.default_arguments == tomap({
      "--extra-py-files"                   = "s3://taxlake-test-artifacts-123456789012/glue/taxlake.zip"
      "--enable-auto-scaling"              = "true"
      "--job-bookmark-option"              = "job-bookmark-enable"
      "--enable-continuous-cloudwatch-log" = "true"
      "--enable-metrics"                   = "true"
      "--enable-observability-metrics"     = "true"
      "--lake-bucket"                      = "taxlake-test-curated-123456789012"
      "--TempDir"                          = "s3://taxlake-test-artifacts-123456789012/glue/tmp/"
    })
    error_message = "Default arguments must be exactly the documented set."
  }

  assert {
    condition = (
      aws_glue_job.this.security_configuration == "taxlake-test-curate" &&
      one(one(aws_glue_security_configuration.this.encryption_configuration).s3_encryption).s3_encryption_mode == "SSE-KMS" &&
      one(one(aws_glue_security_configuration.this.encryption_configuration).s3_encryption).kms_key_arn == var.job.kms_key_arn &&
      one(one(aws_glue_security_configuration.this.encryption_configuration).cloudwatch_encryption).cloudwatch_encryption_mode == "SSE-KMS" &&
      one(one(aws_glue_security_configuration.this.encryption_configuration).cloudwatch_encryption).kms_key_arn == var.job.kms_key_arn &&
      one(one(aws_glue_security_configuration.this.encryption_configuration).job_bookmarks_encryption).job_bookmarks_encryption_mode == "CSE-KMS" &&
      one(one(aws_glue_security_configuration.this.encryption_configuration).job_bookmarks_encryption).kms_key_arn == var.job.kms_key_arn
    )
    error_message = "The job must run with a security configuration encrypting S3, logs and bookmarks with the key."
  }

  assert {
    condition     = output.job.name == "taxlake-test-curate" && output.job.arn == "arn:aws:glue:ap-southeast-2:123456789012:job/taxlake-test-curate" && output.role == { name = "taxlake-test-curate", arn = "arn:aws:iam::123456789012:role/taxlake-test-curate" } && aws_glue_job.this.role_arn == output.role.arn
    error_message = "Outputs must describe the job and its role."
  }
}

run "role_is_least_privilege" {
  command = plan

  assert {
    condition = { for s in data.aws_iam_policy_document.runtime.statement : s.sid => { actions = s.actions, resources = s.resources } } == {
      ReadJobArtifacts   = { actions = toset(["s3:GetObject"]), resources = toset(["arn:aws:s3:::taxlake-test-artifacts-123456789012/glue/*"]) }
      UseTempDir         = { actions = toset(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]), resources = toset(["arn:aws:s3:::taxlake-test-artifacts-123456789012/glue/tmp/*"]) }
      UseKey             = { actions = toset(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]), resources = toset([var.job.kms_key_arn]) }
      WriteGlueLogs      = { actions = toset(["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]), resources = toset(["arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws-glue/*"]) }
      PublishGlueMetrics = { actions = toset(["cloudwatch:PutMetricData"]), resources = toset(["*"]) }
    }
    error_message = "The role must hold exactly the documented statements, each on its exact prefix."
  }

  assert {
    condition = jsonencode({ for s in data.aws_iam_policy_document.runtime.statement : s.sid => s.condition if length(s.condition) > 0 }) == jsonencode({
      PublishGlueMetrics = [{ test = "StringEquals", values = ["Glue"], variable = "cloudwatch:namespace" }]
    })
    error_message = "Listings must be limited to their prefixes and metrics to the Glue namespace."
  }

  assert {
    condition     = length([for a in flatten([for s in concat(data.aws_iam_policy_document.runtime.statement, data.aws_iam_policy_document.current.statement) : tolist(s.actions)]) : a if strcontains(a, "*")]) == 0
    error_message = "No statement of either job may grant a wildcard action."
  }

  assert {
    condition     = jsonencode(data.aws_iam_policy_document.this.source_policy_documents) == jsonencode([data.aws_iam_policy_document.runtime.json, var.job.policy_json]) && jsonencode(data.aws_iam_policy_document.current.source_policy_documents) == jsonencode([data.aws_iam_policy_document.runtime.json])
    error_message = "Both jobs' policies must build on the same runtime policy, the curate job's on the Spark jobs' data-access grant."
  }
}

run "settings_pass_through" {
  command = plan

  variables {
    settings = {
      worker_type       = "G.2X"
      number_of_workers = 10
      execution_class   = "FLEX"
      timeout_minutes   = 30
      max_concurrency   = 5
    }
  }

  assert {
    condition = (
      aws_glue_job.this.worker_type == "G.2X" &&
      aws_glue_job.this.number_of_workers == 10 &&
      aws_glue_job.this.execution_class == "FLEX" &&
      aws_glue_job.this.timeout == 30 &&
      one(aws_glue_job.this.execution_property).max_concurrent_runs == 5
    )
    error_message = "Settings must reach the job."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # unsupported worker type
    settings = { worker_type = "G.8X" }

    # current prefix equal to curated
    current_tables = { prefix = "curated" }
  }

  expect_failures = [
    var.settings,
    var.current_tables,
  ]
}

run "rejects_invalid_inputs_2" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # single worker
    settings = { number_of_workers = 1 }

    # unknown table format
    current_tables = { table_format = "iceberg" }
  }

  expect_failures = [
    var.settings,
    var.current_tables,
  ]
}

run "rejects_unknown_execution_class" {
  command = plan

  variables {
    settings = { execution_class = "SPOT" }
  }

  expect_failures = [var.settings]
}

# The current-tables job: the single writer of current/, on a schedule, one run at a time.
run "current_job_defaults" {
  command = apply

  assert {
    condition = (
      aws_glue_job.current[0].name == "taxlake-test-current" &&
      aws_glue_job.current[0].glue_version == "5.0" &&
      aws_glue_job.current[0].execution_class == "FLEX" &&
      aws_glue_job.current[0].max_retries == 0 &&
      aws_glue_job.current[0].security_configuration == aws_glue_security_configuration.this.name &&
      one(aws_glue_job.current[0].execution_property).max_concurrent_runs == 1 &&
      one(aws_glue_job.current[0].command).script_location == "s3://taxlake-test-artifacts-123456789012/glue/jobs/current.py"
    )
    error_message = "The current job must be <name_prefix>-current: Glue 5.0 Flex, one run at a time, no Glue retries, encrypted, running glue/jobs/current.py."
  }

  assert {
    condition = (
      aws_glue_job.current[0].default_arguments["--format"] == "delta" &&
      aws_glue_job.current[0].default_arguments["--datalake-formats"] == "delta" &&
      strcontains(aws_glue_job.current[0].default_arguments["--conf"], "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension") &&
      aws_glue_job.current[0].default_arguments["--curated-root"] == "s3://taxlake-test-curated-123456789012/curated" &&
      aws_glue_job.current[0].default_arguments["--current-root"] == "s3://taxlake-test-curated-123456789012/current" &&
      aws_glue_job.current[0].default_arguments["--job-bookmark-option"] == "job-bookmark-disable" &&
      aws_glue_job.current[0].default_arguments["--max-sources"] == "500"
    )
    error_message = "By default the current tables are Delta (Glue 5's built-in Delta configured), read curated/ and write current/, with bookmarks off."
  }

  assert {
    condition = (
      aws_glue_trigger.current[0].type == "SCHEDULED" &&
      aws_glue_trigger.current[0].schedule == "cron(0/15 * * * ? *)" &&
      aws_glue_trigger.current[0].enabled &&
      one(aws_glue_trigger.current[0].actions).job_name == "taxlake-test-current"
    )
    error_message = "A scheduled trigger must start the current job every 15 minutes."
  }

  assert {
    condition = { for s in data.aws_iam_policy_document.current.statement : s.sid => { actions = s.actions, resources = s.resources } } == {
      ReadCurated  = { actions = toset(["s3:GetObject"]), resources = toset(["arn:aws:s3:::taxlake-test-curated-123456789012/curated/*"]) }
      WriteCurrent = { actions = toset(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]), resources = toset(["arn:aws:s3:::taxlake-test-curated-123456789012/current/*"]) }
      ListLake     = { actions = toset(["s3:ListBucket"]), resources = toset(["arn:aws:s3:::taxlake-test-curated-123456789012"]) }
    }
    error_message = "The current job reads curated/, writes current/ only, and lists just those two prefixes; no landing access."
  }

  assert {
    condition     = output.current_tables == { job_name = "taxlake-test-current", prefix = "current", table_format = "delta" }
    error_message = "Outputs must describe the current job."
  }
}

run "current_job_parquet_has_no_delta_configuration" {
  command = plan

  variables {
    current_tables = { table_format = "parquet", schedule = "rate(1 hour)", schedule_enabled = false, execution_class = "STANDARD" }
  }

  assert {
    condition = (
      aws_glue_job.current[0].default_arguments["--format"] == "parquet" &&
      !contains(keys(aws_glue_job.current[0].default_arguments), "--datalake-formats") &&
      !contains(keys(aws_glue_job.current[0].default_arguments), "--conf") &&
      aws_glue_job.current[0].execution_class == "STANDARD" &&
      aws_glue_trigger.current[0].schedule == "rate(1 hour)" && !aws_glue_trigger.current[0].enabled
    )
    error_message = "Parquet current tables must not load Delta; settings must reach the job and trigger."
  }
}

run "current_job_can_be_left_out" {
  command = plan

  variables {
    current_tables = { enabled = false }
  }

  assert {
    condition     = length(aws_glue_job.current) == 0 && length(aws_glue_trigger.current) == 0 && length(module.current_role) == 0 && output.current_tables.job_name == null
    error_message = "enabled = false must create no current job, trigger or role."
  }
}
