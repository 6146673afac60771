# The role's Task permissions are derived once, by taxlake.asl.policy, from the ASL template
# into a policy template beside it (<name>.policy.json; `taxlake asl policy FILE
# --placeholders`, kept fresh by tests/unit/asl/test_policy_template.py). Terraform renders
# that template with the definition's own values, so the grants follow the definition: a new
# Task gets exactly its permissions, a removed one loses them.
locals {
  task_policy = jsondecode(templatefile(local.policy_path, merge(local.definition_vars, {
    partition  = local.partition
    region     = local.region
    account_id = local.account_id
  })))
  # Sorted, so the order of the rendered values (not of the template's stand-ins) decides.
  task_statements = [for s in local.task_policy.Statement : merge(s, { Resource = sort(s.Resource) })]

  service_statements = concat(
    [
      # Vended-log delivery APIs have no resource-level permissions: AWS requires Resource "*".
      {
        Sid    = "DeliverExecutionLogs"
        Effect = "Allow"
        Action = [
          "logs:CreateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:DescribeLogGroups",
          "logs:DescribeResourcePolicies",
          "logs:GetLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:UpdateLogDelivery",
        ]
        Resource = "*"
      },
      # Execution data (customer-managed-key encryption) and messages to the encrypted topics.
      {
        Sid      = "UseKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = var.kms_key_arn
      },
    ],
    # X-Ray trace and sampling APIs have no resource-level permissions: AWS requires Resource "*".
    var.state_machine.tracing ? [
      {
        Sid      = "WriteTraces"
        Effect   = "Allow"
        Action   = ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
        Resource = "*"
      },
    ] : [],
  )

  policy = {
    Version   = "2012-10-17"
    Statement = concat(local.task_statements, local.service_statements)
  }
}

module "role" {
  source = "../service-role"

  name        = local.state_machine_name
  description = "Execution role of the ${local.state_machine_name} state machine; its policy is derived from the definition."
  service     = "states"
  policy_json = jsonencode(local.policy)
  tags        = var.tags
}
