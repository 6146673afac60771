output "function_name" {
  description = "Name of the validator function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the validator function."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the function's execution role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_retention_days" {
  description = "Retention of the function's log group, in days."
  value       = aws_cloudwatch_log_group.this.retention_in_days
}

output "reserved_concurrency" {
  description = "Reserved concurrent executions of the function (-1 = unreserved)."
  value       = aws_lambda_function.this.reserved_concurrent_executions
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue shared by Lambda and the EventBridge target."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.url
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
  value       = local.environment
}
