# The orchestrator: seven pipeline functions, two topics and the state machine rendered
# from statemachines/tax_pipeline.asl.json, with a role policy derived from the rendered
# definition (every Task's resource and nothing else).
mock_provider "aws" {
  source = "../../tests/terraform/mocks"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/taxlake-test-pipeline" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-mock" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/vendedlogs/states/taxlake-test-pipeline" }
  }
}

override_resource {
  target = module.function["validate-input"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-validate-input" }
}

override_resource {
  target = module.function["validate-input"].aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-pipeline-validate-input" }
}

override_resource {
  target = module.function["process"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-process" }
}

override_resource {
  target = module.function["process"].aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-pipeline-process" }
}

override_resource {
  target = module.function["quality"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-quality" }
}

override_resource {
  target = module.function["quality"].aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-pipeline-quality" }
}

override_resource {
  target = module.function["catalog"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-catalog" }
}

override_resource {
  target = module.function["catalog"].aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-pipeline-catalog" }
}

override_resource {
  target = module.function["fraud"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-fraud" }
}

override_resource {
  target = module.function["fraud"].aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-pipeline-fraud" }
}

override_resource {
  target = module.function["metrics"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-metrics" }
}

override_resource {
  target = module.function["metrics"].aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-pipeline-metrics" }
}

override_resource {
  target = module.function["failure"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-failure" }
}

override_resource {
  target = module.function["failure"].aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-pipeline-failure" }
}

override_resource {
  target = aws_sns_topic.this["alerts"]
  values = { arn = "arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-alerts" }
}

override_resource {
  target = aws_sns_topic.this["notifications"]
  values = { arn = "arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-notifications" }
}

variables {
  name_prefix  = "taxlake-test"
  tags         = { owner = "tests" }
  package_path = "tests/fixtures/pipeline.zip"
  layer_arns   = ["arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime:1"]
  kms_key_arn  = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  lake = {
    landing   = { name = "taxlake-test-landing-123456789012", validated_prefix = "validated/" }
    curated   = { name = "taxlake-test-curated-123456789012", prefix = "curated" }
    analytics = { name = "taxlake-test-analytics-123456789012" }
    database  = "taxlake_test_lake"
    tables    = { lodgement = "curated_lodgement", bas = "curated_bas", "payer-report" = "curated_payer_report" }
  }
  glue_job_name = "taxlake-test-curate"
  emr = {
    application_id     = "00fmockapplication"
    execution_role_arn = "arn:aws:iam::123456789012:role/taxlake-test-curate-emr"
    entry_point        = "s3://taxlake-test-artifacts-123456789012/glue/jobs/curate.py"
    py_files           = "s3://taxlake-test-artifacts-123456789012/glue/taxlake.zip"
    log_uri            = "s3://taxlake-test-artifacts-123456789012/emr/logs/"
  }
}

run "state_machine_is_rendered_from_the_pipeline" {
  command = apply

  assert {
    condition = (
      aws_sfn_state_machine.this.name == "taxlake-test-pipeline" &&
      aws_sfn_state_machine.this.type == "STANDARD" &&
      aws_sfn_state_machine.this.role_arn == "arn:aws:iam::123456789012:role/taxlake-test-pipeline"
    )
    error_message = "The state machine must be <name_prefix>-pipeline, STANDARD, with the module's role."
  }

  assert {
    condition     = length(regexall("[$][{]", output.rendered_definition)) == 0 && jsondecode(output.rendered_definition).StartAt == "ValidateInput"
    error_message = "Every placeholder must be substituted and the result must be the pipeline's JSON."
  }

  assert {
    condition = (
      jsondecode(output.rendered_definition).States.ValidateInput.Parameters.FunctionName == "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-validate-input" &&
      jsondecode(output.rendered_definition).States.ValidateInput.Parameters.Payload.routing["emr_min_bytes.$"] == "States.StringToJson('1000000000')" &&
      jsondecode(output.rendered_definition).States.ValidateInput.Parameters.Payload.routing["lambda_max_bytes.$"] == "States.StringToJson('805306368')"
    )
    error_message = "The routing thresholds must be rendered as integer strings beside the validate-input function."
  }

  assert {
    condition     = module.function["process"].function.ephemeral_storage_mb == 960 && alltrue([for step, f in module.function : f.function.ephemeral_storage_mb == 512 if step != "process"])
    error_message = "The process function's /tmp must be 1.25x lambda_max_bytes (768 MiB -> 960 MB); the other functions keep the free 512 MB."
  }

  assert {
    condition = (
      jsondecode(output.rendered_definition).States.ProcessWithGlue.Parameters.JobName == "taxlake-test-curate" &&
      jsondecode(output.rendered_definition).States.ProcessWithEMR.Parameters.ApplicationId == "00fmockapplication" &&
      jsondecode(output.rendered_definition).States.ProcessWithEMR.Parameters.ExecutionRoleArn == "arn:aws:iam::123456789012:role/taxlake-test-curate-emr" &&
      jsondecode(output.rendered_definition).States.ProcessWithEMR.Parameters.JobDriver.SparkSubmit.EntryPoint == "s3://taxlake-test-artifacts-123456789012/glue/jobs/curate.py" &&
      jsondecode(output.rendered_definition).States.ProcessWithEMR.Parameters.JobDriver.SparkSubmit.SparkSubmitParameters == "--py-files s3://taxlake-test-artifacts-123456789012/glue/taxlake.zip" &&
      jsondecode(output.rendered_definition).States.ProcessWithEMR.Parameters.ConfigurationOverrides.MonitoringConfiguration.S3MonitoringConfiguration.LogUri == "s3://taxlake-test-artifacts-123456789012/emr/logs/" &&
      jsondecode(output.rendered_definition).States.NotifyFailure.Parameters.TopicArn == "arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-alerts" &&
      jsondecode(output.rendered_definition).States.NotifySuccess.Parameters.TopicArn == "arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-notifications"
    )
    error_message = "Glue job, EMR application, role, entry point, library, log URI and topics must reach their states."
  }

  assert {
    condition = (
      one(aws_sfn_state_machine.this.logging_configuration).level == "ALL" &&
      one(aws_sfn_state_machine.this.logging_configuration).include_execution_data &&
      one(aws_sfn_state_machine.this.logging_configuration).log_destination == "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/vendedlogs/states/taxlake-test-pipeline:*" &&
      one(aws_sfn_state_machine.this.tracing_configuration).enabled
    )
    error_message = "Executions must be logged in full (with data) to the vended log group and traced."
  }

  assert {
    condition = (
      one(aws_sfn_state_machine.this.encryption_configuration).type == "CUSTOMER_MANAGED_KMS_KEY" &&
      one(aws_sfn_state_machine.this.encryption_configuration).kms_key_id == var.kms_key_arn &&
      one(aws_sfn_state_machine.this.encryption_configuration).kms_data_key_reuse_period_seconds == 300
    )
    error_message = "State machine data must be encrypted with the platform key (data keys reused 300 s)."
  }

  assert {
    condition = (
      aws_cloudwatch_log_group.this.name == "/aws/vendedlogs/states/taxlake-test-pipeline" &&
      aws_cloudwatch_log_group.this.retention_in_days == 365 &&
      aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn &&
      output.state_machine.log_group_name == "/aws/vendedlogs/states/taxlake-test-pipeline"
    )
    error_message = "The execution log group must be KMS-encrypted and kept 365 days by default."
  }

  assert {
    condition = (
      aws_sns_topic.this["alerts"].name == "taxlake-test-alerts" &&
      aws_sns_topic.this["notifications"].name == "taxlake-test-notifications" &&
      alltrue([for t in aws_sns_topic.this : t.kms_master_key_id == var.kms_key_arn]) &&
      output.topics.alerts == "arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-alerts" &&
      output.topics.notifications == "arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-notifications"
    )
    error_message = "Both topics must be named after the prefix and KMS-encrypted."
  }

  assert {
    condition     = output.state_machine.arn == "arn:aws:states:ap-southeast-2:123456789012:stateMachine:taxlake-test-pipeline" && output.state_machine.name == "taxlake-test-pipeline"
    error_message = "Outputs must describe the state machine."
  }
}

run "role_policy_is_derived_from_the_definition" {
  command = apply

  assert {
    condition = toset(flatten([for s in output.derived_task_statements : s.resources if contains(s.actions, "lambda:InvokeFunction")])) == toset([
      for name, s in jsondecode(output.rendered_definition).States : s.Parameters.FunctionName if try(s.Resource, "") == "arn:aws:states:::lambda:invoke"
    ])
    error_message = "lambda:InvokeFunction must be granted on exactly the functions the definition invokes."
  }

  assert {
    condition     = toset(flatten([for s in output.derived_task_statements : s.resources if contains(s.actions, "lambda:InvokeFunction")])) == toset([for f in values(output.functions) : f.arn])
    error_message = "The definition invokes all seven pipeline functions, and only those."
  }

  assert {
    condition = jsonencode(output.derived_task_statements) == jsonencode([
      {
        actions   = ["emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"]
        resources = ["arn:aws:emr-serverless:ap-southeast-2:123456789012:/applications/00fmockapplication/jobruns/*"]
      },
      {
        actions   = ["emr-serverless:StartJobRun"]
        resources = ["arn:aws:emr-serverless:ap-southeast-2:123456789012:/applications/00fmockapplication"]
      },
      {
        actions   = ["events:DescribeRule", "events:PutRule", "events:PutTargets"]
        resources = ["arn:aws:events:ap-southeast-2:123456789012:rule/StepFunctionsGetEventsForEMRServerlessJobRule"]
      },
      {
        actions   = ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"]
        resources = ["arn:aws:glue:ap-southeast-2:123456789012:job/taxlake-test-curate"]
      },
      {
        actions   = ["iam:PassRole"]
        resources = ["arn:aws:iam::123456789012:role/taxlake-test-curate-emr"]
      },
      {
        actions   = ["lambda:InvokeFunction"]
        resources = sort([for f in values(output.functions) : f.arn])
      },
      {
        actions   = ["sns:Publish"]
        resources = ["arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-alerts", "arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-notifications"]
      },
    ])
    error_message = "The Task statements must be exactly what the definition's integrations need (.sync Glue and EMR Serverless, Lambda, SNS)."
  }

  assert {
    condition     = aws_sfn_state_machine.this.role_arn == output.role.arn && output.role.name == "taxlake-test-pipeline"
    error_message = "The state machine must run as its own role, named after it."
  }

  assert {
    condition     = length([for a in flatten([for s in output.role_policy.Statement : s.Action]) : a if strcontains(a, "*")]) == 0
    error_message = "No statement may grant a wildcard action."
  }

  assert {
    condition     = [for s in output.role_policy.Statement : s.Condition if s.Sid == "Iam"] == [{ StringEquals = { "iam:PassedToService" = "emr-serverless.amazonaws.com" } }]
    error_message = "The EMR execution role may be passed to EMR Serverless only."
  }

  assert {
    condition     = toset([for s in output.role_policy.Statement : s.Sid if s.Resource == "*"]) == toset(["DeliverExecutionLogs", "WriteTraces"])
    error_message = "Only the log-delivery and X-Ray statements, which AWS requires on \"*\", may use Resource \"*\"."
  }

  assert {
    condition     = [for s in output.role_policy.Statement : s.Resource if s.Sid == "UseKey"] == [var.kms_key_arn]
    error_message = "The role must use only the platform key."
  }

  assert {
    condition     = length(distinct([for s in output.role_policy.Statement : s.Sid])) == length(output.role_policy.Statement)
    error_message = "Statement ids must be unique."
  }
}

run "functions_get_their_environment_and_grants" {
  command = apply

  assert {
    condition     = { for step, f in output.functions : step => f.name } == { for s in ["validate-input", "process", "quality", "catalog", "fraud", "metrics", "failure"] : s => "taxlake-test-pipeline-${s}" }
    error_message = "The seven functions must be <name_prefix>-pipeline-<step>."
  }

  assert {
    condition = { for s, f in module.function : s => f.environment } == {
      validate-input = {
        LANDING_BUCKET               = "taxlake-test-landing-123456789012"
        VALIDATED_PREFIX             = "validated/"
        CURATED_BUCKET               = "taxlake-test-curated-123456789012"
        CURATED_PREFIX               = "curated"
        GLUE_WORKER_TYPE             = "G.1X"
        GLUE_MIN_WORKERS             = "2"
        GLUE_MAX_WORKERS             = "10"
        GLUE_BYTES_PER_WORKER        = "1073741824"
        GLUE_EXECUTION_CLASS         = "FLEX"
        URGENT_KINDS                 = ""
        FRAUD_CONFIG                 = "{}"
        POWERTOOLS_SERVICE_NAME      = "pipeline-validate-input"
        POWERTOOLS_METRICS_NAMESPACE = "Taxlake"
        POWERTOOLS_LOG_LEVEL         = "INFO"
      }
      process = {
        CURATED_BUCKET               = "taxlake-test-curated-123456789012"
        CURATED_PREFIX               = "curated"
        POWERTOOLS_SERVICE_NAME      = "pipeline-process"
        POWERTOOLS_METRICS_NAMESPACE = "Taxlake"
        POWERTOOLS_LOG_LEVEL         = "INFO"
      }
      quality = {
        CURATED_BUCKET               = "taxlake-test-curated-123456789012"
        CURATED_PREFIX               = "curated"
        ANALYTICS_BUCKET             = "taxlake-test-analytics-123456789012"
        QUALITY_PREFIX               = "quality"
        QUALITY_METRICS_PREFIX       = "quality_metrics"
        QUALITY_HISTORY_SIZE         = "30"
        QUALITY_MIN_HISTORY          = "5"
        QUALITY_Z_THRESHOLD          = "3.5"
        GLUE_DATABASE                = "taxlake_test_lake"
        TABLES                       = jsonencode({ bas = "curated_bas", lodgement = "curated_lodgement", "payer-report" = "curated_payer_report" })
        POWERTOOLS_SERVICE_NAME      = "pipeline-quality"
        POWERTOOLS_METRICS_NAMESPACE = "Taxlake"
        POWERTOOLS_LOG_LEVEL         = "INFO"
      }
      catalog = {
        GLUE_DATABASE                = "taxlake_test_lake"
        CURATED_BUCKET               = "taxlake-test-curated-123456789012"
        CURATED_PREFIX               = "curated"
        TABLES                       = jsonencode({ bas = "curated_bas", lodgement = "curated_lodgement", "payer-report" = "curated_payer_report" })
        POWERTOOLS_SERVICE_NAME      = "pipeline-catalog"
        POWERTOOLS_METRICS_NAMESPACE = "Taxlake"
        POWERTOOLS_LOG_LEVEL         = "INFO"
      }
      fraud = {
        CURATED_BUCKET               = "taxlake-test-curated-123456789012"
        CURATED_PREFIX               = "curated"
        ANALYTICS_BUCKET             = "taxlake-test-analytics-123456789012"
        FRAUD_PREFIX                 = "fraud_flags"
        FRAUD_CONFIG                 = "{}"
        POWERTOOLS_SERVICE_NAME      = "pipeline-fraud"
        POWERTOOLS_METRICS_NAMESPACE = "Taxlake"
        POWERTOOLS_LOG_LEVEL         = "INFO"
      }
      metrics = {
        POWERTOOLS_SERVICE_NAME      = "pipeline-metrics"
        POWERTOOLS_METRICS_NAMESPACE = "Taxlake"
        POWERTOOLS_LOG_LEVEL         = "INFO"
      }
      failure = {
        ANALYTICS_BUCKET             = "taxlake-test-analytics-123456789012"
        FAILURE_PREFIX               = "failures"
        POWERTOOLS_SERVICE_NAME      = "pipeline-failure"
        POWERTOOLS_METRICS_NAMESPACE = "Taxlake"
        POWERTOOLS_LOG_LEVEL         = "INFO"
      }
    }
    error_message = "Each function must get exactly its documented environment."
  }

  assert {
    condition     = jsondecode(output.function_environments["catalog"].TABLES) == { bas = "curated_bas", lodgement = "curated_lodgement", "payer-report" = "curated_payer_report" }
    error_message = "TABLES must be the kind -> table map as JSON."
  }

  assert {
    condition = jsonencode({ for s, f in local.functions : s => { for st in f.statements : st.sid => sort(st.actions) } }) == jsonencode({
      validate-input = { ReadValidated = ["s3:GetObject"], ListLanding = ["s3:ListBucket"], UseKey = ["kms:Decrypt"] }
      process        = { ReadValidated = ["s3:GetObject", "s3:GetObjectVersion"], WriteCurated = ["s3:PutObject"], UseKey = ["kms:Decrypt", "kms:GenerateDataKey"] }
      quality = {
        ListCurated          = ["s3:ListBucket"], ReadCurated = ["s3:GetObject"], WriteQualityReports = ["s3:PutObject"],
        ReadQualityHistory   = ["s3:GetObject"], ListQualityHistory = ["s3:ListBucket"], WriteQualityMetrics = ["s3:PutObject"],
        ReadRegisteredSchema = ["glue:GetTable"], PutSchemaDriftEvents = ["events:PutEvents"], UseKey = ["kms:Decrypt", "kms:GenerateDataKey"]
      }
      catalog = { RegisterPartitions = ["glue:BatchCreatePartition", "glue:GetPartitions", "glue:GetTable"] }
      fraud   = { ListCurated = ["s3:ListBucket"], ReadCurated = ["s3:GetObject"], WriteFraudFlags = ["s3:PutObject"], UseKey = ["kms:Decrypt", "kms:GenerateDataKey"] }
      metrics = {}
      failure = { WriteFailureReports = ["s3:PutObject"], UseKey = ["kms:Decrypt", "kms:GenerateDataKey"] }
    })
    error_message = "Each function must get exactly its documented actions."
  }

  assert {
    condition = jsonencode({ for s, f in local.functions : s => { for st in f.statements : st.sid => st.resources } if length(f.statements) > 0 }) == jsonencode({
      validate-input = { ReadValidated = ["arn:aws:s3:::taxlake-test-landing-123456789012/validated/*"], ListLanding = ["arn:aws:s3:::taxlake-test-landing-123456789012"], UseKey = [var.kms_key_arn] }
      process        = { ReadValidated = ["arn:aws:s3:::taxlake-test-landing-123456789012/validated/*"], WriteCurated = ["arn:aws:s3:::taxlake-test-curated-123456789012/curated/*"], UseKey = [var.kms_key_arn] }
      quality = {
        ListCurated         = ["arn:aws:s3:::taxlake-test-curated-123456789012"]
        ReadCurated         = ["arn:aws:s3:::taxlake-test-curated-123456789012/curated/*"]
        WriteQualityReports = ["arn:aws:s3:::taxlake-test-analytics-123456789012/quality/*"]
        ReadQualityHistory  = ["arn:aws:s3:::taxlake-test-analytics-123456789012/quality/history/*"]
        ListQualityHistory  = ["arn:aws:s3:::taxlake-test-analytics-123456789012"]
        WriteQualityMetrics = ["arn:aws:s3:::taxlake-test-analytics-123456789012/quality_metrics/*"]
        ReadRegisteredSchema = [
          "arn:aws:glue:ap-southeast-2:123456789012:catalog",
          "arn:aws:glue:ap-southeast-2:123456789012:database/taxlake_test_lake",
          "arn:aws:glue:ap-southeast-2:123456789012:table/taxlake_test_lake/curated_bas",
          "arn:aws:glue:ap-southeast-2:123456789012:table/taxlake_test_lake/curated_lodgement",
          "arn:aws:glue:ap-southeast-2:123456789012:table/taxlake_test_lake/curated_payer_report",
        ]
        PutSchemaDriftEvents = ["arn:aws:events:ap-southeast-2:123456789012:event-bus/default"]
        UseKey               = [var.kms_key_arn]
      }
      catalog = { RegisterPartitions = [
        "arn:aws:glue:ap-southeast-2:123456789012:catalog",
        "arn:aws:glue:ap-southeast-2:123456789012:database/taxlake_test_lake",
        "arn:aws:glue:ap-southeast-2:123456789012:table/taxlake_test_lake/curated_bas",
        "arn:aws:glue:ap-southeast-2:123456789012:table/taxlake_test_lake/curated_lodgement",
        "arn:aws:glue:ap-southeast-2:123456789012:table/taxlake_test_lake/curated_payer_report",
      ] }
      fraud   = { ListCurated = ["arn:aws:s3:::taxlake-test-curated-123456789012"], ReadCurated = ["arn:aws:s3:::taxlake-test-curated-123456789012/curated/*"], WriteFraudFlags = ["arn:aws:s3:::taxlake-test-analytics-123456789012/fraud_flags/*"], UseKey = [var.kms_key_arn] }
      failure = { WriteFailureReports = ["arn:aws:s3:::taxlake-test-analytics-123456789012/failures/*"], UseKey = [var.kms_key_arn] }
    })
    error_message = "Each function's grants must be scoped to its exact prefixes and tables."
  }

  assert {
    condition     = alltrue([for s, f in local.functions : alltrue([for st in f.statements : st.conditions == [{ test = "StringLike", variable = "s3:prefix", values = ["curated/*"] }] if st.sid == "ListCurated"])])
    error_message = "Listing the curated bucket must be limited to curated/*."
  }

  assert {
    condition = jsonencode([for st in local.functions["quality"].statements : st.conditions if st.sid == "PutSchemaDriftEvents" || st.sid == "ListQualityHistory"]) == jsonencode([
      [{ test = "StringLike", variable = "s3:prefix", values = ["quality/history/*"] }],
      [
        { test = "StringEquals", variable = "events:source", values = ["taxlake.quality"] },
        { test = "StringEquals", variable = "events:detail-type", values = ["SchemaDriftDetected"] },
      ],
    ])
    error_message = "The quality function may list only its history prefix and put only its own SchemaDriftDetected events (source taxlake.quality)."
  }

  assert {
    condition     = length([for s, f in local.functions : s if anytrue([for st in f.statements : contains(st.actions, "events:PutEvents")])]) == 1
    error_message = "Only the quality function may put events."
  }
}

run "sizing_and_thresholds_pass_through" {
  command = apply

  variables {
    routing           = { emr_min_bytes = 5000000000, lambda_max_bytes = 104857600 }
    glue_sizing       = { worker_type = "G.2X", min_workers = 4, max_workers = 40, bytes_per_worker = 536870912, execution_class = "STANDARD", urgent_kinds = ["bas", "lodgement"] }
    fraud             = { account_max_tfns = 5, refund_ratio = 2, high_score = 0.9, deductions_z = 4, deductions_min_peers = 50, income_ratio = 0.5, income_gap_floor = 2500, agent_max_daily = 40, agent_z = 5 }
    quality           = { history_size = 60, min_history = 10, z_threshold = 4 }
    lambda            = { memory_mb = 512, reserved_concurrency = 5, log_retention_days = 30, log_level = "DEBUG" }
    lambda_path       = { memory_mb = 4096 }
    metrics_namespace = "TaxlakeTest"
    state_machine     = { log_retention_days = 30, tracing = false }
  }

  assert {
    condition = (
      jsondecode(output.rendered_definition).States.ValidateInput.Parameters.Payload.routing["emr_min_bytes.$"] == "States.StringToJson('5000000000')" &&
      jsondecode(output.rendered_definition).States.ValidateInput.Parameters.Payload.routing["lambda_max_bytes.$"] == "States.StringToJson('104857600')"
    )
    error_message = "Large thresholds must render as plain integers, not in exponent form."
  }

  assert {
    condition     = module.function["process"].function.ephemeral_storage_mb == 512
    error_message = "A threshold whose spill fits the free 512 MB of /tmp must not pay for more (100 MiB x 1.25 = 125 MB)."
  }

  assert {
    condition = (
      output.function_environments["validate-input"].GLUE_WORKER_TYPE == "G.2X" &&
      output.function_environments["validate-input"].GLUE_MIN_WORKERS == "4" &&
      output.function_environments["validate-input"].GLUE_MAX_WORKERS == "40" &&
      output.function_environments["validate-input"].GLUE_BYTES_PER_WORKER == "536870912" &&
      output.function_environments["validate-input"].GLUE_EXECUTION_CLASS == "STANDARD" &&
      output.function_environments["validate-input"].URGENT_KINDS == "bas,lodgement"
    )
    error_message = "Glue sizing must reach validate-input."
  }

  assert {
    condition = (
      jsondecode(output.function_environments["fraud"].FRAUD_CONFIG) == {
        account_max_tfns = 5, refund_ratio = 2, high_score = 0.9, deductions_z = 4, deductions_min_peers = 50,
        income_ratio     = 0.5, income_gap_floor = 2500, agent_max_daily = 40, agent_z = 5
      } &&
      output.function_environments["validate-input"].FRAUD_CONFIG == output.function_environments["fraud"].FRAUD_CONFIG &&
      alltrue([for e in values(output.function_environments) : e.POWERTOOLS_METRICS_NAMESPACE == "TaxlakeTest" && e.POWERTOOLS_LOG_LEVEL == "DEBUG"])
    )
    error_message = "Fraud thresholds, namespace and log level must reach the functions."
  }

  assert {
    condition = (
      output.function_environments["quality"].QUALITY_HISTORY_SIZE == "60" &&
      output.function_environments["quality"].QUALITY_MIN_HISTORY == "10" &&
      output.function_environments["quality"].QUALITY_Z_THRESHOLD == "4"
    )
    error_message = "Anomaly settings must reach the quality function."
  }

  assert {
    condition = (
      module.function["process"].function.reserved_concurrency == 5 &&
      module.function["quality"].log_group.retention_days == 30
    )
    error_message = "Shared function settings must reach every function."
  }

  assert {
    condition     = !one(aws_sfn_state_machine.this.tracing_configuration).enabled && length([for s in output.role_policy.Statement : s if s.Sid == "WriteTraces"]) == 0 && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "With tracing off there is no X-Ray grant; the execution log retention follows the setting."
  }
}

run "nested_states_are_derived" {
  command = apply

  variables {
    definition_path = "tests/fixtures/nested.asl.json"
  }

  assert {
    condition = jsonencode(output.derived_task_statements) == jsonencode([
      {
        actions   = ["emr-serverless:StartJobRun"]
        resources = ["arn:aws:emr-serverless:ap-southeast-2:123456789012:/applications/00fmockapplication"]
      },
      {
        actions   = ["glue:StartJobRun"]
        resources = ["arn:aws:glue:ap-southeast-2:123456789012:job/taxlake-test-curate"]
      },
      {
        actions   = ["iam:PassRole"]
        resources = ["arn:aws:iam::123456789012:role/taxlake-test-curate-emr"]
      },
      {
        actions = ["lambda:InvokeFunction"]
        resources = [
          "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-fraud",
          "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-quality",
        ]
      },
      {
        actions   = ["sns:Publish"]
        resources = ["arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-notifications"]
      },
    ])
    error_message = "Tasks in Parallel branches and Map item processors count; without .sync only the start actions are granted; a direct function ARN is invoked."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # definition without its policy template
    # Its FunctionName is chosen at run time, so `taxlake asl policy --placeholders` refuses it
    # and there is no dynamic.policy.json to grant from.
    definition_path = "tests/fixtures/dynamic.asl.json"

    # lambda threshold at emr threshold
    routing = { emr_min_bytes = 268435456, lambda_max_bytes = 268435456 }

    # unknown urgent kind
    glue_sizing = { urgent_kinds = ["payroll"] }

    # income ratio above one
    fraud = { income_ratio = 1.5 }

    # history shorter than its minimum
    quality = { history_size = 4, min_history = 5 }
  }

  expect_failures = [
    var.definition_path,
    var.routing,
    var.glue_sizing,
    var.fraud,
    var.quality,
  ]
}

run "rejects_invalid_inputs_2" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # lambda threshold above emr threshold
    routing = { lambda_max_bytes = 2000000000 }

    # max workers below min
    glue_sizing = { min_workers = 10, max_workers = 4 }
  }

  expect_failures = [
    var.routing,
    var.glue_sizing,
  ]
}

run "rejects_a_lambda_threshold_beyond_lambda_storage" {
  command = plan

  # below emr_min_bytes, but 1.25x of it is more /tmp than Lambda has (10,240 MB)
  variables {
    routing = { emr_min_bytes = 20000000000, lambda_max_bytes = 9000000000 }
  }

  expect_failures = [var.routing]
}
