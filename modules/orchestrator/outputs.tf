output "state_machine_arn" {
  description = "ARN of the pipeline state machine."
  value       = aws_sfn_state_machine.this.arn
}

output "state_machine_name" {
  description = "Name of the pipeline state machine."
  value       = aws_sfn_state_machine.this.name
}

output "role" {
  description = "The state machine's execution role: {name, arn}."
  value       = module.role.role
}

output "log_group_name" {
  description = "Log group of the state machine's execution history."
  value       = aws_cloudwatch_log_group.this.name
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic (fraud flags, pipeline failures)."
  value       = aws_sns_topic.this["alerts"].arn
}

output "notifications_topic_arn" {
  description = "ARN of the notifications topic (files curated)."
  value       = aws_sns_topic.this["notifications"].arn
}

output "function_arns" {
  description = "ARNs of the pipeline functions, keyed by step (validate-input, process, quality, catalog, fraud, metrics, failure)."
  value       = { for step, f in module.function : step => f.function_arn }
}

output "function_names" {
  description = "Names of the pipeline functions, keyed by step."
  value       = { for step, f in module.function : step => f.function_name }
}

output "function_environments" {
  description = "Environment variables of each pipeline function, keyed by step."
  value       = { for step, f in module.function : step => f.environment }
}

output "derived_task_statements" {
  description = "The role's Task permissions, the policy template derived from the definition rendered with its values: [{actions, resources}] (the iam:PassRole statement also carries an iam:PassedToService condition)."
  value       = [for s in local.task_statements : { actions = s.Action, resources = s.Resource }]
}

output "role_policy" {
  description = "The state machine role's policy document (derived Task statements plus logging, X-Ray and KMS)."
  value       = local.policy
}

output "rendered_definition" {
  description = "The ASL definition as deployed, every placeholder substituted."
  value       = local.definition
  sensitive   = false
}

output "routing" {
  description = "The processing choice's size thresholds in bytes, defaults applied (emr_min_bytes, lambda_max_bytes)."
  value       = var.routing
}
