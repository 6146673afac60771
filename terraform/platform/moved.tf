# dev, staging and prod were each one call of modules/platform (module.platform); that
# composition is now this root, so each of its parts moves up one level and keeps its state.

moved {
  from = module.platform.module.kms
  to   = module.kms
}

moved {
  from = module.platform.module.access_logs
  to   = module.access_logs
}

moved {
  from = module.platform.module.landing
  to   = module.landing
}

moved {
  from = module.platform.module.runtime_layer
  to   = module.runtime_layer
}

moved {
  from = module.platform.module.validator
  to   = module.validator
}

moved {
  from = module.platform.module.data_lake
  to   = module.data_lake
}

moved {
  from = module.platform.module.artifacts
  to   = module.artifacts
}

moved {
  from = module.platform.module.glue_etl
  to   = module.glue_etl
}

moved {
  from = module.platform.module.emr_serverless
  to   = module.emr_serverless
}

moved {
  from = module.platform.module.orchestrator
  to   = module.orchestrator
}

moved {
  from = module.platform.aws_s3_object.artifact
  to   = aws_s3_object.artifact
}
