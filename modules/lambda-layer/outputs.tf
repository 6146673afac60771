output "layer_arn" {
  description = "Versioned ARN of the published layer (use this in a function's layers)."
  value       = aws_lambda_layer_version.this.arn
}

output "layer_version" {
  description = "Version number of the published layer."
  value       = aws_lambda_layer_version.this.version
}
