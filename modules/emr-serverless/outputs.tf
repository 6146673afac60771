output "application_id" {
  description = "ID of the EMR Serverless application."
  value       = aws_emrserverless_application.this.id
}

output "application_arn" {
  description = "ARN of the EMR Serverless application."
  value       = aws_emrserverless_application.this.arn
}

output "application_name" {
  description = "Name of the EMR Serverless application."
  value       = aws_emrserverless_application.this.name
}

output "execution_role" {
  description = "The job execution role job runs pass (its arn is the ExecutionRoleArn): {name, arn}."
  value       = module.role.role
}

output "entry_point" {
  description = "S3 URI of the Spark entry point (the Glue job script)."
  value       = local.entry_point
}

output "py_files" {
  description = "S3 URI of the taxlake library for --py-files."
  value       = local.py_files
}

output "log_uri" {
  description = "S3 URI job runs write their logs under."
  value       = local.log_uri
}
