# One role for one AWS service, the way every role of the platform is made: trusted by that
# service acting for this account only, with one inline least-privilege policy.
data "aws_caller_identity" "current" {}

locals {
  principal = "${var.service}.amazonaws.com"
  # Actions of the caller's document; a statement's Action is a string or a list.
  actions = flatten([for s in try(jsondecode(var.policy_json).Statement, []) : try(s.Action, [])])

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "${join("", [for part in split("-", var.service) : title(part)])}AssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = local.principal }
      # Confused-deputy guard: only the service acting for this account may assume the role.
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
}

resource "aws_iam_role" "this" {
  name               = var.name
  description        = var.description
  assume_role_policy = local.assume_role_policy
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = var.policy_json

  lifecycle {
    precondition {
      condition     = length([for a in local.actions : a if strcontains(a, "*")]) == 0
      error_message = "The policy of role ${var.name} must not grant a wildcard action: ${jsonencode([for a in local.actions : a if strcontains(a, "*")])}."
    }
  }
}
