terraform {
  # The bucket comes from partial configuration: terraform init -backend-config=staging.s3.tfbackend
  backend "s3" {
    key          = "taxlake/staging/terraform.tfstate"
    region       = "ap-southeast-2"
    encrypt      = true
    use_lockfile = true
  }
}
