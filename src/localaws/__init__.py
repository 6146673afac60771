"""localaws: the project's local AWS, moto server plus the few things it lacks.

moto (pinned in pyproject.toml) is the backbone. ``install()`` patches it,
in process, to close exactly the gaps the platform hits without Docker:

- lambdas:  invocations run the deployed zip and its layers on the runtime's
            Python (timeout and memory enforced), asynchronous invocations
            retry and go to on-failure destinations / DLQs, logs land in
            CloudWatch Logs and EMF lines become CloudWatch metrics;
            DeadLetterConfig and LoggingConfig read back (no plan drift).
- events:   rules deliver to Lambda and Step Functions targets.
- sfn:      ValidateStateMachineDefinition and ListStateMachineVersions
            answer, so Terraform can create state machines; executions run.
- s3:       an EventBridge notification configuration reads back; Object Lock
            default retention applies to copies and can change on a full bucket.
- glue:     job runs execute the script on local PySpark, S3 data staged in
            and out; states, errors, timeouts and logs as Glue reports them.
- emr_serverless: applications go CREATED/STARTED/STOPPED as in AWS (and
            apply with Terraform); job runs execute the entry point the same
            way.
- iam:      requests judged on their resource ARN and IAM action, 403 for a key the
            caller may not list; every Lambda, Glue job, EMR Serverless run and state
            machine signs as its role (an STS session); the admin is ``test``/``test``;
            enforced with LOCALAWS_IAM=enforce (the harness sets it).
- replay:   an SDK's re-send of a mutating request already answered with a 2xx gets
            that answer again instead of a second execution (a lost answer to a
            CreateFunction otherwise becomes a 409 loop); dropped connections logged.
- cloudwatch: metric alarms evaluated (metric math, M of N, missing data) on a clock a
            test can move; state changes publish to the alarms' SNS actions.
- spark:    what both share, and the Step Functions fix that lets their
            ``.sync`` integrations (and emr-serverless tasks at all) run.

Every patch is tested in tests/integration/localaws against the AWS
behaviour it reproduces.
"""

from __future__ import annotations

_installed = False


def install() -> None:
    """Apply every extension once (idempotent)."""
    global _installed
    if _installed:
        return
    from localaws import cloudwatch, emr_serverless, events, glue, iam, lakeformation, lambdas, replay, s3, sfn

    for module in (replay, iam, lambdas, events, sfn, s3, glue, emr_serverless, lakeformation, cloudwatch):
        module.install()
    _installed = True
