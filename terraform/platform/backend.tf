terraform {
  # Partial configuration: each environment's bucket, key and region are in its own file,
  #   terraform init -backend-config=../<environment>/<environment>.s3.tfbackend
  # local keeps its state in the emulator's S3 (terraform/local/local.s3.tfbackend): the
  # emulator forgets everything when it stops, state included, so the two never disagree.
  backend "s3" {}
}
