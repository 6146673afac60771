output "role" {
  description = "The role: {name, arn}. Available only once its policy is attached, so whatever runs as the role needs no depends_on."
  value = {
    name = aws_iam_role.this.name
    arn  = aws_iam_role.this.arn
  }
  depends_on = [aws_iam_role_policy.this]
}
