# The jobs' roles and policies moved into modules/service-role.
moved {
  from = aws_iam_role.this
  to   = module.role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.this
  to   = module.role.aws_iam_role_policy.this
}

moved {
  from = aws_iam_role.current[0]
  to   = module.current_role[0].aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.current[0]
  to   = module.current_role[0].aws_iam_role_policy.this
}
