output "state_machine" {
  description = "The pipeline state machine: { arn, name, log_group_name } (the log group of its execution history)."
  value = {
    arn            = aws_sfn_state_machine.this.arn
    name           = aws_sfn_state_machine.this.name
    log_group_name = aws_cloudwatch_log_group.this.name
  }
}

output "role" {
  description = "The state machine's execution role: {name, arn}."
  value       = module.role.role
}

output "topics" {
  description = "ARNs of the SNS topics: alerts (fraud flags, pipeline failures) and notifications (files curated)."
  value       = { for name, t in aws_sns_topic.this : name => t.arn }
}

output "functions" {
  description = "The pipeline functions, keyed by step (validate-input, process, quality, catalog, fraud, metrics, failure): { name, arn }."
  value       = { for step, f in module.function : step => { name = f.function.name, arn = f.function.arn } }
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
