# Lake Formation's role and policy moved into modules/service-role (the policy is renamed
# <role>-least-privilege there, so it is replaced once).
moved {
  from = aws_iam_role.lake_formation[0]
  to   = module.lake_formation_role[0].aws_iam_role.this
}
