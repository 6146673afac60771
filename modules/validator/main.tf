locals {
  function_name = "${var.name_prefix}-validator"

  # RAW_* only with a raw zone: without RAW_BUCKET the function copies nothing.
  raw_environment = var.raw_bucket == null ? {} : {
    RAW_BUCKET = var.raw_bucket.name
    RAW_PREFIX = var.raw_bucket.prefix
  }

  environment = merge({
    POWERTOOLS_SERVICE_NAME      = "validator"
    POWERTOOLS_METRICS_NAMESPACE = var.settings.metrics_namespace
    IDEMPOTENCY_TABLE            = aws_dynamodb_table.idempotency.name
    IDEMPOTENCY_TTL_SECONDS      = tostring(var.settings.idempotency_ttl_seconds)
    STATE_MACHINE_ARN            = var.state_machine_arn == null ? "" : var.state_machine_arn
    REJECT_THRESHOLD             = tostring(var.settings.reject_threshold)
    INCOMING_PREFIX              = var.landing.bucket.prefixes.incoming
    VALIDATED_PREFIX             = var.landing.bucket.prefixes.validated
    QUARANTINE_PREFIX            = var.landing.bucket.prefixes.quarantine
  }, local.raw_environment)
}

# The function, its role, log group and dead-letter queue: the platform's one Lambda module.
# The queue takes every failure path: Lambda's async retries exhausted (the on-failure
# destination) and events the landing rule could not deliver (its target DLQ).
module "function" {
  source = "../lambda-function"

  name_prefix  = var.name_prefix
  name         = "validator"
  description  = "Validates lodgements landed in ${var.landing.bucket.name}/${var.landing.bucket.prefixes.incoming} and routes them to ${var.landing.bucket.prefixes.validated} or ${var.landing.bucket.prefixes.quarantine}."
  handler      = "handler.lambda_handler"
  package_path = var.package_path
  layer_arns   = var.layer_arns
  kms_key_arn  = var.kms_key_arn
  environment  = local.environment
  statements   = local.statements
  tags         = var.tags

  settings = var.settings # the function's fields; the validator's own are dropped

  dead_letter_queue = true
  async_invocation  = { maximum_retry_attempts = 2, maximum_event_age_in_seconds = 3600 }
  allowed_triggers = {
    AllowLandingRuleInvoke = { principal = "events.amazonaws.com", source_arn = var.landing.event_rule.arn }
  }
  dead_letter_senders = {
    AllowLandingRuleDeadLetters = { principal = "events.amazonaws.com", source_arn = var.landing.event_rule.arn }
  }
}

resource "aws_cloudwatch_event_target" "this" {
  rule      = var.landing.event_rule.name
  target_id = "validator"
  arn       = module.function.function.arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 24
  }

  # Events EventBridge could not deliver (e.g. throttled past the retry window).
  dead_letter_config {
    arn = module.function.dlq.arn
  }

  # the permission is created with the function (allowed_triggers)
  depends_on = [module.function]
}
