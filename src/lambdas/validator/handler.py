"""Validator Lambda: S3 Object Created (via EventBridge) -> validate -> route.

Thin by design: parse the event, call ``taxlake.records.ingest.process_object``,
publish telemetry. Idempotent per object version through Powertools
idempotency (DynamoDB), so EventBridge's at-least-once delivery and Lambda
retries never validate or start the pipeline twice for one version.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from telemetry import publish_duplicate, publish_result

from taxlake.adapters.events import EventBridgePublisher
from taxlake.adapters.s3 import S3Store
from taxlake.adapters.stepfunctions import PipelineStarter
from taxlake.records.ingest import IngestConfig, ObjectRef, process_object
from taxlake.records.validation import use_arrow_pool

logger = Logger()
metrics = Metrics()
tracer = Tracer()
store = S3Store()
events = EventBridgePublisher()  # SchemaDriftDetected on the default bus
config = IngestConfig.from_env()
starter = PipelineStarter(os.environ["STATE_MACHINE_ARN"]) if os.environ.get("STATE_MACHINE_ARN") else None
idempotency = IdempotencyConfig(
    event_key_jmespath="[bucket, key, version_id, etag]",
    expires_after_seconds=int(os.environ.get("IDEMPOTENCY_TTL_SECONDS", "604800")),
    raise_on_no_idempotency_key=True,
    response_hook=lambda response, _data: publish_duplicate(metrics, response),
)
persistence = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])
# before the first object is read: the pool the validator's memory bound is measured with
logger.append_keys(arrow_pool=use_arrow_pool())


@idempotent_function(data_keyword_argument="obj", config=idempotency, persistence_store=persistence)  # type: ignore[untyped-decorator]
@tracer.capture_method
def ingest(obj: dict[str, Any]) -> dict[str, Any]:
    ref = ObjectRef(obj["bucket"], obj["key"], obj["version_id"], None, obj["etag"])
    result = process_object(ref, store, config, starter, events)
    publish_result(metrics, logger, result)
    return result.to_dict()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    ref = ObjectRef.from_event(event)
    logger.append_keys(bucket=ref.bucket, key=ref.key, version_id=ref.version_id)
    response: dict[str, Any] = ingest(obj=ref.idempotency_doc())
    return response
