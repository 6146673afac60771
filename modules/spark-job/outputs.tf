output "job" {
  description = "What to give glue-etl and emr-serverless as job: the data-access policy (policy_json), kms_key_arn, the artifacts bucket { name, arn }, the S3 URIs of the entry point (script) and the library, and the curated location { bucket_name, arn, prefix } it grants."
  value = {
    policy_json = data.aws_iam_policy_document.this.json
    kms_key_arn = var.kms_key_arn
    artifacts   = { name = var.artifacts_bucket_name, arn = local.artifacts_arn }
    script      = "s3://${var.artifacts_bucket_name}/${var.script_key}"
    library     = "s3://${var.artifacts_bucket_name}/${var.library_key}"
    curated     = { bucket_name = var.curated_bucket_name, arn = local.curated_arn, prefix = var.curated_prefix }
  }
}

output "statements" {
  description = "The data-access policy's statements ({sid, actions, resources, conditions}), for review."
  value = [for s in data.aws_iam_policy_document.this.statement : {
    sid        = s.sid
    actions    = sort(tolist(s.actions))
    resources  = sort(tolist(s.resources))
    conditions = [for c in s.condition : { test = c.test, variable = c.variable, values = tolist(c.values) }]
  }]
}
