output "layer" {
  description = "The published layer version: { arn (versioned: use it in a function's layers), version }."
  value = {
    arn     = aws_lambda_layer_version.this.arn
    version = aws_lambda_layer_version.this.version
  }
}
