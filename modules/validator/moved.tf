# The function, role, log group and queue were this module's own resources before it used
# modules/lambda-function: they keep their state.

moved {
  from = aws_lambda_function.this
  to   = module.function.aws_lambda_function.this
}

moved {
  from = aws_iam_role.this
  to   = module.function.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.this
  to   = module.function.aws_iam_role_policy.this
}

moved {
  from = aws_cloudwatch_log_group.this
  to   = module.function.aws_cloudwatch_log_group.this
}

moved {
  from = aws_sqs_queue.dlq
  to   = module.function.aws_sqs_queue.dlq[0]
}

moved {
  from = aws_sqs_queue_policy.dlq
  to   = module.function.aws_sqs_queue_policy.dlq[0]
}

moved {
  from = aws_lambda_function_event_invoke_config.this
  to   = module.function.aws_lambda_function_event_invoke_config.this[0]
}

moved {
  from = aws_lambda_permission.events
  to   = module.function.aws_lambda_permission.trigger["AllowLandingRuleInvoke"]
}
