# The role policy is derived from the rendered definition, so the grants follow the
# definition: a new Task gets exactly its permissions, a removed one loses them. Mirrors
# taxlake.asl.policy (taxlake asl policy FILE --vars --region --account); a pytest
# compares the two through the derived_task_statements output.
locals {
  document = jsondecode(local.definition)

  # Top-level states plus one level of Parallel branches and Map item processors.
  top_states = [for name, s in local.document.States : s]
  nested_states = flatten([for s in local.top_states : concat(
    flatten([for b in try(s.Branches, []) : [for name, n in b.States : n]]),
    [for name, n in try(s.ItemProcessor.States, try(s.Iterator.States, {})) : n],
  )])
  # Each Task reduced to the static values its permissions depend on ("" when a value is
  # absent or only known at run time: a "<Name>.$" path or a {% JSONata %} expression).
  tasks = [
    for s in concat(local.top_states, local.nested_states) : {
      resource = s.Resource
      # The integration without its service-integration pattern suffix.
      integration        = replace(trimprefix(s.Resource, "arn:${local.partition}:states:::"), "/\\.(sync(:2)?|waitForTaskToken)$/", "")
      sync               = can(regex("\\.sync(:2)?$", s.Resource))
      function_name      = try(regex("^[^{].*$", tostring(try(s.Arguments, s.Parameters).FunctionName)), "")
      qualifier          = try(regex("^[^{].*$", tostring(try(s.Arguments, s.Parameters).Qualifier)), "")
      job_name           = try(regex("^[^{].*$", tostring(try(s.Arguments, s.Parameters).JobName)), "")
      application_id     = try(regex("^[^{].*$", tostring(try(s.Arguments, s.Parameters).ApplicationId)), "")
      execution_role_arn = try(regex("^[^{].*$", tostring(try(s.Arguments, s.Parameters).ExecutionRoleArn)), "")
      topic_arn          = try(regex("^[^{].*$", tostring(try(s.Arguments, s.Parameters).TopicArn)), "")
    } if s.Type == "Task"
  ]

  # What each Task is, for granting; "" = can't be derived (the policy's precondition
  # fails the plan rather than under-grant).
  task_kinds = [for t in local.tasks : (
    can(regex("^arn:[^:]+:lambda:[^:]+:\\d{12}:function:", t.resource)) ? "function" :
    t.integration == "lambda:invoke" && t.function_name != "" ? "lambda" :
    t.integration == "glue:startJobRun" && t.job_name != "" ? "glue" :
    t.integration == "emr-serverless:startJobRun" && t.application_id != "" && t.execution_role_arn != "" ? "emr-serverless" :
    t.integration == "sns:publish" && t.topic_arn != "" ? "sns" : ""
  )]
  underivable_tasks = concat(
    [for i, t in local.tasks : t.resource if local.task_kinds[i] == ""],
    # Distributed maps start child executions and read items from S3: not derived (yet).
    [for s in concat(local.top_states, local.nested_states) : "distributed Map" if try(s.ItemProcessor.ProcessorConfig.Mode, "") == "DISTRIBUTED"],
  )

  # iam:PassRole is granted only towards EMR Serverless.
  pass_role_to_emr = jsonencode({ test = "StringEquals", variable = "iam:PassedToService", value = "emr-serverless.amazonaws.com" })

  # One grant per (service, actions, resource, condition), the way taxlake.asl.policy grants.
  # Every field is a string (actions comma-joined, condition JSON or "") so that all the
  # branches have one type.
  grants = flatten([for i, t in local.tasks : (
    local.task_kinds[i] == "function" ? [
      { service = "lambda", actions = "lambda:InvokeFunction", resource = t.resource, condition = "" }
      ] : local.task_kinds[i] == "lambda" ? [
      {
        service = "lambda"
        actions = "lambda:InvokeFunction"
        # A bare name becomes the full ARN; Lambda authorises a qualified call against the
        # qualified ARN, so a Qualifier is granted exactly.
        resource = join(":", compact([
          startswith(t.function_name, "arn:") ? t.function_name : "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${t.function_name}",
          t.qualifier,
        ]))
        condition = ""
      }
      ] : local.task_kinds[i] == "glue" ? [
      {
        service   = "glue"
        actions   = t.sync ? "glue:BatchStopJobRun,glue:GetJobRun,glue:GetJobRuns,glue:StartJobRun" : "glue:StartJobRun"
        resource  = "${local.glue_arn}:job/${t.job_name}"
        condition = ""
      }
      ] : local.task_kinds[i] == "emr-serverless" ? concat(
      [
        {
          service   = "emr-serverless"
          actions   = "emr-serverless:StartJobRun"
          resource  = "${local.emr_arn}:/applications/${t.application_id}"
          condition = ""
        },
        { service = "iam", actions = "iam:PassRole", resource = t.execution_role_arn, condition = local.pass_role_to_emr },
      ],
      t.sync ? [
        {
          service   = "emr-serverless"
          actions   = "emr-serverless:CancelJobRun,emr-serverless:GetJobRun"
          resource  = "${local.emr_arn}:/applications/${t.application_id}/jobruns/*"
          condition = ""
        },
        # The .sync integration watches job runs through this managed EventBridge rule.
        {
          service   = "events"
          actions   = "events:DescribeRule,events:PutRule,events:PutTargets"
          resource  = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/StepFunctionsGetEventsForEMRServerlessJobRule"
          condition = ""
        },
      ] : [],
      ) : local.task_kinds[i] == "sns" ? [
      { service = "sns", actions = "sns:Publish", resource = t.topic_arn, condition = "" }
    ] : []
  )])

  # Group like the Python: per service and condition, resources sharing one action set
  # share a statement, so each action stays on exactly the resources it was derived for.
  grant_actions = {
    for g in local.grants : join("|", [g.service, g.condition, g.resource]) => split(",", g.actions)...
  }
  grouped = {
    for key, actions in local.grant_actions : join("|", [
      split("|", key)[0], join(",", sort(distinct(flatten(actions)))), split("|", key)[1]
    ]) => split("|", key)[2]...
  }
  derived_task_statements = [
    for key, resources in local.grouped : {
      service   = split("|", key)[0]
      actions   = split(",", split("|", key)[1])
      condition = split("|", key)[2] == "" ? null : jsondecode(split("|", key)[2])
      resources = sort(distinct(resources))
    }
  ]
  service_counts = { for s in local.derived_task_statements : s.service => s.service... }
  service_sids   = { for svc, list in local.service_counts : svc => join("", [for part in split("-", svc) : title(part)]) }
  task_statements = [
    for i, s in local.derived_task_statements : merge(
      {
        Sid      = "${local.service_sids[s.service]}${length(local.service_counts[s.service]) > 1 ? tostring(length([for p in slice(local.derived_task_statements, 0, i + 1) : p if p.service == s.service])) : ""}"
        Effect   = "Allow"
        Action   = s.actions
        Resource = s.resources
      },
      s.condition == null ? {} : { Condition = { (s.condition.test) = { (s.condition.variable) = s.condition.value } } },
    )
  ]

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

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "StatesAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    # Confused-deputy guard: only Step Functions acting for this account may assume the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.state_machine_name
  description        = "Execution role of the ${local.state_machine_name} state machine; its policy is derived from the definition."
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "${local.state_machine_name}-derived"
  role   = aws_iam_role.this.id
  policy = jsonencode(local.policy)

  lifecycle {
    precondition {
      condition     = length(local.underivable_tasks) == 0
      error_message = "The definition has Task states whose permissions can't be derived (a dynamic resource parameter or an unknown integration): ${jsonencode(local.underivable_tasks)}. Name the resource statically or extend modules/orchestrator/iam.tf."
    }

    precondition {
      condition     = length([for a in flatten([for s in local.policy.Statement : s.Action]) : a if strcontains(a, "*")]) == 0
      error_message = "The derived policy must not grant a wildcard action."
    }
  }
}
