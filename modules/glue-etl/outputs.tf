output "job" {
  description = "The curate Glue job: { name, arn, script_location, default_arguments (a run's Arguments override or extend them), security_configuration }."
  value = {
    name                   = aws_glue_job.this.name
    arn                    = aws_glue_job.this.arn
    script_location        = one(aws_glue_job.this.command).script_location
    default_arguments      = local.default_arguments
    security_configuration = aws_glue_security_configuration.this.name
  }
}

output "role" {
  description = "The curate job's role: {name, arn}."
  value       = module.role.role
}

output "current_tables" {
  description = "The current tables: job_name (null when current_tables.enabled is false), prefix (of the tables and their applied-source markers under _applied/, in the curated bucket) and table_format (delta or parquet)."
  value = {
    job_name     = one(aws_glue_job.current[*].name)
    prefix       = local.current_prefix
    table_format = var.current_tables.table_format
  }
}
