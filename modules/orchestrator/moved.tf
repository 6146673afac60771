# The execution role moved into modules/service-role (its inline policy is renamed
# <role>-least-privilege there, so it is replaced once).
moved {
  from = aws_iam_role.this
  to   = module.role.aws_iam_role.this
}
