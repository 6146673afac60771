output "function_name" {
  description = "Name of the validator function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the validator function."
  value       = module.function.function_arn
}

output "role" {
  description = "The function's execution role: {name, arn}."
  value       = module.function.role
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = module.function.log_group_name
}

output "log_retention_days" {
  description = "Retention of the function's log group, in days."
  value       = module.function.log_retention_days
}

output "reserved_concurrency" {
  description = "Reserved concurrent executions of the function (-1 = unreserved)."
  value       = module.function.reserved_concurrency
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue shared by Lambda and the EventBridge target."
  value       = module.function.dlq_arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = module.function.dlq_url
}

output "idempotency_table_name" {
  description = "Name of the Powertools idempotency table."
  value       = aws_dynamodb_table.idempotency.name
}

output "idempotency_table_arn" {
  description = "ARN of the Powertools idempotency table."
  value       = aws_dynamodb_table.idempotency.arn
}

output "environment" {
  description = "Environment variables of the function (names of its tables, buckets and prefixes; no secrets)."
  value       = module.function.environment
}

output "statements" {
  description = "What the function's role is allowed ({sid, actions, resources}): its own statements and the function module's."
  value       = module.function.statements
}
