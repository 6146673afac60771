terraform {
  # The bucket comes from partial configuration: terraform init -backend-config=prod.s3.tfbackend
  backend "s3" {
    key          = "taxlake/prod/terraform.tfstate"
    region       = "ap-southeast-2"
    encrypt      = true
    use_lockfile = true
  }
}
