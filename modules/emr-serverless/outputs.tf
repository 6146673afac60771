output "application" {
  description = "The EMR Serverless application: { id, arn, name }."
  value = {
    id   = aws_emrserverless_application.this.id
    arn  = aws_emrserverless_application.this.arn
    name = aws_emrserverless_application.this.name
  }
}

output "execution_role" {
  description = "The job execution role job runs pass: {name, arn}."
  value       = module.role.role
}

output "job_run" {
  description = "What a job run of the curate job passes (the orchestrator's emr input): application_id, execution_role_arn, and the S3 URIs of the Spark entry point (the Glue job script), the taxlake library for --py-files and the logs."
  value = {
    application_id     = aws_emrserverless_application.this.id
    execution_role_arn = module.role.role.arn
    entry_point        = var.job.script
    py_files           = var.job.library
    log_uri            = local.log_uri
  }
}
