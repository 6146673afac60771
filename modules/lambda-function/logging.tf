resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.settings.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}
