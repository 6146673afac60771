data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  state_machine_name = "${var.name_prefix}-pipeline"
  definition_path    = coalesce(var.definition_path, "${path.module}/../../statemachines/tax_pipeline.asl.json")
  policy_path        = replace(local.definition_path, "/\\.asl\\.json$/", ".policy.json")

  # Every ${placeholder} of the template; templatefile() fails on a missing one.
  definition_vars = {
    validate_input_function_arn = module.function["validate-input"].function.arn
    process_function_arn        = module.function["process"].function.arn
    quality_function_arn        = module.function["quality"].function.arn
    catalog_function_arn        = module.function["catalog"].function.arn
    fraud_function_arn          = module.function["fraud"].function.arn
    metrics_function_arn        = module.function["metrics"].function.arn
    failure_function_arn        = module.function["failure"].function.arn
    glue_job_name               = var.glue_job_name
    emr_application_id          = var.emr.application_id
    emr_execution_role_arn      = var.emr.execution_role_arn
    emr_entry_point             = var.emr.entry_point
    emr_py_files                = var.emr.py_files
    emr_log_uri                 = var.emr.log_uri
    alerts_topic_arn            = aws_sns_topic.this["alerts"].arn
    notifications_topic_arn     = aws_sns_topic.this["notifications"].arn
    # Integers as digit strings: the definition parses them with States.StringToJson.
    emr_min_bytes    = format("%d", var.routing.emr_min_bytes)
    lambda_max_bytes = format("%d", var.routing.lambda_max_bytes)
  }

  definition = templatefile(local.definition_path, local.definition_vars)
}

resource "aws_sns_topic" "this" {
  for_each = toset(["alerts", "notifications"])

  name              = "${var.name_prefix}-${each.key}"
  display_name      = "taxlake ${each.key} (${var.name_prefix})"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  # Step Functions vended logs must go to a group under /aws/vendedlogs/ to stay within
  # the CloudWatch Logs resource-policy size limit.
  name              = "/aws/vendedlogs/states/${local.state_machine_name}"
  retention_in_days = var.state_machine.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "this" {
  #checkov:skip=CKV_AWS_284:X-Ray tracing is on unless a caller sets state_machine.tracing = false (default true); checkov cannot resolve the optional() default.
  name = local.state_machine_name
  type = "STANDARD"
  # known once the role's policy is attached: AWS checks the definition against it
  role_arn   = module.role.role.arn
  definition = local.definition
  tags       = var.tags

  logging_configuration {
    level                  = "ALL"
    include_execution_data = true
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
  }

  tracing_configuration {
    enabled = var.state_machine.tracing
  }

  encryption_configuration {
    type                              = "CUSTOMER_MANAGED_KMS_KEY"
    kms_key_id                        = var.kms_key_arn
    kms_data_key_reuse_period_seconds = 300
  }
}
