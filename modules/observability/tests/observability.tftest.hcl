mock_provider "aws" {
  source = "../../tests/terraform/mocks"

  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-alarms" }
  }
}

variables {
  name_prefix       = "taxlake-test"
  package_path      = "tests/fixtures/pipeline.zip"
  kms_key_arn       = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  state_machine     = { name = "taxlake-test-pipeline", arn = "arn:aws:states:ap-southeast-2:123456789012:stateMachine:taxlake-test-pipeline" }
  namespaces        = { validator = "TaxlakeValidator", pipeline = "Taxlake" }
  validator_service = "validator"
  kinds             = ["lodgement", "bas"]
  functions         = { validator = "taxlake-test-validator", process = "taxlake-test-pipeline-process" }
  dead_letter_queues = {
    validator = "arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-validator-dlq"
  }
  subscriptions = { emails = ["oncall@example.gov.au"], queue_arns = ["arn:aws:sqs:ap-southeast-2:123456789012:pager"] }
}

run "one_alarm_per_alert" {
  command = apply

  assert {
    condition = output.alarms == {
      consecutive_failures = "taxlake-test-consecutive-failures"
      data_delay           = { lodgement = "taxlake-test-data-delay-lodgement", bas = "taxlake-test-data-delay-bas" }
      schema_drift         = { lodgement = "taxlake-test-schema-drift-lodgement", bas = "taxlake-test-schema-drift-bas" }
      error_rate = {
        validator          = "taxlake-test-error-rate-validator", process = "taxlake-test-error-rate-process"
        "health-status"    = "taxlake-test-error-rate-health-status"
        "health-freshness" = "taxlake-test-error-rate-health-freshness"
      }
      dead_letters = { validator = "taxlake-test-dead-letters-validator" }
    }
    error_message = "One alarm per alert: the streak, data delay and schema drift per kind, error rate per stage, dead letters per queue."
  }

  assert {
    condition = alltrue(flatten([
      for group in [aws_cloudwatch_metric_alarm.single, aws_cloudwatch_metric_alarm.error_rate] :
      [for a in values(group) : a.alarm_actions == toset([aws_sns_topic.alarms.arn]) && a.ok_actions == toset([aws_sns_topic.alarms.arn]) && strcontains(a.alarm_description, "docs/runbook.md#")]
    ]))
    error_message = "Every alarm must notify the alarms topic when it fires and clears, and link its runbook section."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.single["consecutive-failures"].threshold == 3 &&
      aws_cloudwatch_metric_alarm.single["consecutive-failures"].comparison_operator == "GreaterThanOrEqualToThreshold" &&
      aws_cloudwatch_metric_alarm.single["consecutive-failures"].treat_missing_data == "ignore" &&
      aws_cloudwatch_metric_alarm.single["consecutive-failures"].dimensions == tomap({ service = "health", StateMachine = "taxlake-test-pipeline" })
    )
    error_message = "Three failures in a row alarm; quiet periods keep the state until a success resets the streak."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.single["data-delay-bas"].threshold == 7200 &&
      aws_cloudwatch_metric_alarm.single["data-delay-bas"].treat_missing_data == "breaching" &&
      aws_cloudwatch_metric_alarm.single["data-delay-bas"].dimensions == tomap({ service = "health", Kind = "bas" }) &&
      aws_cloudwatch_metric_alarm.single["schema-drift-bas"].dimensions == tomap({ service = "validator", Kind = "bas" }) &&
      aws_cloudwatch_metric_alarm.single["schema-drift-bas"].namespace == "TaxlakeValidator"
    )
    error_message = "Data delay: over two hours, missing measurements breaching; schema drift watches the validator's namespace."
  }

  assert {
    condition = (
      [for q in aws_cloudwatch_metric_alarm.error_rate["process"].metric_query : q.expression if q.return_data == true] == ["IF(invocations > 0, 100 * FILL(errors, 0) / invocations, 0)"] &&
      aws_cloudwatch_metric_alarm.error_rate["process"].threshold == 1 &&
      aws_cloudwatch_metric_alarm.single["dead-letters-validator"].dimensions["QueueName"] == "taxlake-test-validator-dlq"
    )
    error_message = "The error rate is guarded for zero invocations and alarms above 1%; the DLQ alarm names the queue."
  }

  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == var.kms_key_arn && length(aws_sns_topic_subscription.email) == 1 && aws_sns_topic_subscription.queue["arn:aws:sqs:ap-southeast-2:123456789012:pager"].protocol == "sqs"
    error_message = "The topic is KMS-encrypted and every subscription given is made."
  }

  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.execution_status.event_pattern).detail.status == ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"] &&
      aws_cloudwatch_event_rule.freshness.schedule_expression == "rate(5 minutes)" &&
      module.function["freshness"].environment.KINDS == "lodgement,bas"
    )
    error_message = "The status function hears only final statuses of this state machine; freshness runs every 5 minutes for every kind."
  }
}

run "one_dashboard_of_what_the_platform_emits" {
  command = apply

  assert {
    condition     = output.dashboard.name == "taxlake-test" && length(output.dashboard.panels) == 15 && output.dashboard.panels[14] == "Alarms"
    error_message = "One dashboard: fourteen metric panels and the alarms' status last."
  }

  assert {
    condition = alltrue([
      for metric in ["{Taxlake,Engine,Kind,service} MetricName=\\\"PipelineSucceeded\\\"", "{TaxlakeValidator,Kind,Reason,service} MetricName=\\\"RecordsRejectedByReason\\\"", "{AWS/SQS,QueueName}"] :
      strcontains(aws_cloudwatch_dashboard.this.dashboard_body, metric)
    ])
    error_message = "The panels search the metrics the platform emits, by the dimensions it emits them with."
  }

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[14].properties.alarms) == length(aws_cloudwatch_metric_alarm.single) + length(aws_cloudwatch_metric_alarm.error_rate)
    error_message = "The alarms panel shows every alarm."
  }
}

run "thresholds_are_checked" {
  command = plan

  variables {
    settings = { consecutive_failures = 0, data_delay_seconds = 60, error_rate_percent = 100, freshness_schedule = "every 5 minutes" }
  }

  expect_failures = [var.settings]
}

run "kinds_are_required" {
  command = plan

  variables {
    kinds = []
  }

  expect_failures = [var.kinds]
}
