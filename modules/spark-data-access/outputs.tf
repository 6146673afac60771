output "grant" {
  description = "What to give glue-etl and emr-serverless as data_access: the policy document (JSON) and the curated location it grants."
  value = {
    policy_json         = data.aws_iam_policy_document.this.json
    curated_bucket_name = var.curated_bucket_name
    curated_prefix      = var.curated_prefix
  }
}

output "statements" {
  description = "The policy's statements ({sid, actions, resources, conditions}), for review."
  value = [for s in data.aws_iam_policy_document.this.statement : {
    sid        = s.sid
    actions    = sort(tolist(s.actions))
    resources  = sort(tolist(s.resources))
    conditions = [for c in s.condition : { test = c.test, variable = c.variable, values = tolist(c.values) }]
  }]
}
