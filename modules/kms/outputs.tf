output "key" {
  description = "The customer-managed key: { arn, id, alias_name (alias/<name_prefix>), alias_arn }."
  value = {
    arn        = aws_kms_key.this.arn
    id         = aws_kms_key.this.key_id
    alias_name = aws_kms_alias.this.name
    alias_arn  = aws_kms_alias.this.arn
  }
}
