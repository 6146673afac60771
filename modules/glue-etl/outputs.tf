output "job_name" {
  description = "Name of the curate Glue job."
  value       = aws_glue_job.this.name
}

output "job_arn" {
  description = "ARN of the curate Glue job."
  value       = aws_glue_job.this.arn
}

output "role" {
  description = "The curate job's role: {name, arn}."
  value       = module.role.role
}

output "security_configuration_name" {
  description = "Name of the Glue security configuration the job runs with."
  value       = aws_glue_security_configuration.this.name
}

output "script_location" {
  description = "S3 URI of the job script."
  value       = local.script_location
}

output "default_arguments" {
  description = "Default arguments of the job (a run's Arguments override or extend them)."
  value       = local.default_arguments
}

output "current_job_name" {
  description = "Name of the current-tables Glue job (null when current_tables.enabled is false)."
  value       = one(aws_glue_job.current[*].name)
}

output "current_prefix" {
  description = "Key prefix of the current tables (and their applied-source markers under _applied/) in the curated bucket."
  value       = local.current_prefix
}

output "current_table_format" {
  description = "Table format the current-tables job writes: delta or parquet."
  value       = var.current_tables.table_format
}
