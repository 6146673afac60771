output "function" {
  description = "The validator function: { name, arn, reserved_concurrency (-1 = unreserved) }."
  value       = module.function.function
}

output "role" {
  description = "The function's execution role: {name, arn}."
  value       = module.function.role
}

output "log_group" {
  description = "The function's log group: { name, retention_days }."
  value       = module.function.log_group
}

output "dlq" {
  description = "The dead-letter queue shared by Lambda and the EventBridge target: { arn, url }."
  value       = module.function.dlq
}

output "idempotency_table" {
  description = "The Powertools idempotency table: { name, arn, deletion_protection }."
  value = {
    name                = aws_dynamodb_table.idempotency.name
    arn                 = aws_dynamodb_table.idempotency.arn
    deletion_protection = aws_dynamodb_table.idempotency.deletion_protection_enabled
  }
}

output "environment" {
  description = "Environment variables of the function (names of its tables, buckets and prefixes; no secrets)."
  value       = module.function.environment
}

output "statements" {
  description = "What the function's role is allowed ({sid, actions, resources}): its own statements and the function module's."
  value       = module.function.statements
}
