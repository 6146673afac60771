# The EMR Serverless application for files too large for Glue's sweet spot: Spark 3.5,
# auto start/stop, capped capacity, and a job role with the Glue job's data access.
mock_provider "aws" {
  source = "../../tests/terraform/mocks"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/taxlake-test-curate-emr" }
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

run "application_defaults" {
  command = apply

  assert {
    condition = (
      aws_emrserverless_application.this.name == "taxlake-test-curate" &&
      aws_emrserverless_application.this.release_label == "emr-7.5.0" &&
      aws_emrserverless_application.this.type == "spark" &&
      aws_emrserverless_application.this.architecture == "X86_64"
    )
    error_message = "The application must be <name_prefix>-curate, Spark on emr-7.5.0, x86_64."
  }

  assert {
    condition     = one(aws_emrserverless_application.this.maximum_capacity).cpu == "64 vCPU" && one(aws_emrserverless_application.this.maximum_capacity).memory == "256 GB"
    error_message = "Default maximum capacity must be 64 vCPU / 256 GB."
  }

  assert {
    condition = (
      one(aws_emrserverless_application.this.auto_start_configuration).enabled &&
      one(aws_emrserverless_application.this.auto_stop_configuration).enabled &&
      one(aws_emrserverless_application.this.auto_stop_configuration).idle_timeout_minutes == 15
    )
    error_message = "The application must start on demand and stop after 15 idle minutes."
  }

  assert {
    condition     = length(aws_emrserverless_application.this.initial_capacity) == 0 && length(aws_emrserverless_application.this.network_configuration) == 0
    error_message = "By default nothing is pre-initialised and job runs have no VPC access."
  }

  assert {
    condition = (
      output.application.id == "00fmockapplication" &&
      output.application.arn == "arn:aws:emr-serverless:ap-southeast-2:123456789012:/applications/00fmockapplication" &&
      output.execution_role == { name = "taxlake-test-curate-emr", arn = "arn:aws:iam::123456789012:role/taxlake-test-curate-emr" } &&
      output.job_run == {
        application_id     = "00fmockapplication"
        execution_role_arn = "arn:aws:iam::123456789012:role/taxlake-test-curate-emr"
        entry_point        = "s3://taxlake-test-artifacts-123456789012/glue/jobs/curate.py"
        py_files           = "s3://taxlake-test-artifacts-123456789012/glue/taxlake.zip"
        log_uri            = "s3://taxlake-test-artifacts-123456789012/emr/logs/"
      }
    )
    error_message = "Outputs must give the application, the role and the job-run URIs the state machine passes."
  }
}

run "role_is_least_privilege" {
  command = plan

  assert {
    condition = { for s in data.aws_iam_policy_document.this.statement : s.sid => { actions = s.actions, resources = s.resources } } == {
      ReadJobArtifacts = { actions = toset(["s3:GetObject"]), resources = toset(["arn:aws:s3:::taxlake-test-artifacts-123456789012/glue/*"]) }
      WriteJobLogs     = { actions = toset(["s3:PutObject"]), resources = toset(["arn:aws:s3:::taxlake-test-artifacts-123456789012/emr/logs/*"]) }
      UseKey           = { actions = toset(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]), resources = toset([var.job.kms_key_arn]) }
    }
    error_message = "The role must hold exactly the documented statements, each on its exact prefix."
  }

  assert {
    condition     = length([for a in flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.actions)]) : a if strcontains(a, "*")]) == 0 && length([for s in data.aws_iam_policy_document.this.statement : s if contains(tolist(s.resources), "*")]) == 0
    error_message = "No wildcard actions and no Resource \"*\"."
  }

  assert {
    condition     = jsonencode(data.aws_iam_policy_document.this.source_policy_documents) == jsonencode([var.job.policy_json])
    error_message = "Job runs must read and write the lake through the Spark jobs' one data-access grant."
  }

  assert {
    condition     = output.execution_role.name == "taxlake-test-curate-emr"
    error_message = "The role must not collide with the Glue job's <name_prefix>-curate role."
  }
}

run "capacity_and_network" {
  command = plan

  variables {
    settings = {
      maximum_cpu          = "16 vCPU"
      maximum_memory       = "64 GB"
      idle_timeout_minutes = 5
      initial_capacity = {
        Driver   = { worker_count = 1, cpu = "2 vCPU", memory = "4 GB" }
        Executor = { worker_count = 2, cpu = "4 vCPU", memory = "16 GB", disk = "40 GB" }
      }
    }
    network = {
      subnet_ids         = ["subnet-0123456789abcdef0"]
      security_group_ids = ["sg-0123456789abcdef0"]
    }
  }

  assert {
    condition     = one(aws_emrserverless_application.this.maximum_capacity).cpu == "16 vCPU" && one(aws_emrserverless_application.this.auto_stop_configuration).idle_timeout_minutes == 5
    error_message = "Capacity and idle timeout must reach the application."
  }

  assert {
    condition = toset([for c in aws_emrserverless_application.this.initial_capacity : "${c.initial_capacity_type}:${one(c.initial_capacity_config).worker_count}:${one(one(c.initial_capacity_config).worker_configuration).memory}"]) == toset([
      "Driver:1:4 GB", "Executor:2:16 GB"
    ])
    error_message = "Initial capacity must be rendered per worker type."
  }

  assert {
    condition     = one(aws_emrserverless_application.this.network_configuration).subnet_ids == toset(["subnet-0123456789abcdef0"])
    error_message = "A network must reach the application."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # unknown worker type
    settings = { initial_capacity = { Worker = { worker_count = 1, cpu = "2 vCPU", memory = "4 GB" } } }

    # network without subnets
    network = { subnet_ids = [], security_group_ids = ["sg-0123456789abcdef0"] }
  }

  expect_failures = [
    var.settings,
    var.network,
  ]
}

run "rejects_malformed_capacity" {
  command = plan

  variables {
    settings = { maximum_cpu = "64" }
  }

  expect_failures = [var.settings]
}
