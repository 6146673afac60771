"""The fixture corpus: valid definitions, broken ones with the problem each must raise."""

from __future__ import annotations

from pathlib import Path

DEFINITIONS = Path(__file__).parent / "definitions"
VALID = sorted((DEFINITIONS / "valid").glob("*.asl.json"))
INVALID = sorted((DEFINITIONS / "invalid").glob("*.asl.json"))
TEMPLATES = DEFINITIONS / "templates"


def name(path: Path) -> str:
    return path.name.removesuffix(".asl.json")


# invalid file -> a line our lint must print for it ("location: message" fragment)
EXPECTED = {
    "bad_input_path": 'States.Validate: InputPath: "detail.object" is not a valid JSONPath',
    "bad_intrinsic": 'States.Validate: Parameters.id.$: "States.Uuid4()" is not a JSONPath or an intrinsic function',
    "choice_next_inside_and": "States.Route: Choices[0].And[0]: Next belongs on the top-level Choice rule",
    "choice_path_operator_literal": 'States.Route: Choices[0].StringEqualsPath: "accepted" is not a valid '
    "reference path",
    "choice_rule_without_next": "States.Route: Choices[0]: missing required field 'Next'",
    "choice_two_operators": "States.Route: Choices[0]: a Choice rule needs exactly one comparison operator (or "
    "And/Or/Not), found StringEquals, IsPresent",
    "choice_without_operator": "States.Route: Choices[0]: a Choice rule needs exactly one comparison operator (or "
    "And/Or/Not), found none",
    "dangling_next": "States.Validate: Next 'Transform' does not name a state in this machine",
    "distributed_without_execution_type": "States.Each: ItemProcessor.ProcessorConfig: missing required field "
    "'ExecutionType'",
    "duplicate_key": "-: duplicate key 'A'",
    "duplicate_state_name": "States.Both.Branches[0].States.Done: state name 'Done' is already used at States.Done",
    "empty_error_equals": "States.Validate: Retry[0].ErrorEquals: [] should be non-empty",
    "end_and_next": "States.Validate: has both End and Next",
    "endless_loop": "States.Poll: can never reach a terminal state",
    "fail_with_next": "States.Failed: unknown field 'Next'",
    "heartbeat_not_below_timeout": "States.Validate: HeartbeatSeconds (60) must be less than TimeoutSeconds (60)",
    "invalid_json": "-: invalid JSON: Expecting property name enclosed in double quotes at line 5 column 3",
    "item_reader_on_inline_map": "States.Each: ItemReader needs ItemProcessor.ProcessorConfig.Mode DISTRIBUTED",
    "jsonata_condition_not_expression": 'States.Route: Choices[0].Condition: "$states.input.ok" is not a JSONata '
    "expression",
    "jsonata_field_in_jsonpath_state": "States.Validate: Arguments is a JSONata field: not allowed in a JSONPath state",
    "jsonata_variable_rule": "States.Route: Choices[0]: Variable is a JSONPath field: not allowed in a JSONata state",
    "jsonpath_field_in_jsonata_state": "States.Validate: InputPath is a JSONPath field: not allowed in a JSONata state",
    "map_without_processor": "States.Each: needs exactly one of ItemProcessor, Iterator, found none",
    "missing_catch": "States.Validate: Task has no Catch",
    "missing_retry": "States.Validate: Task has no Retry",
    "neither_next_nor_end": "States.Pause: needs Next or End: true",
    "nested_dangling_next": "States.Both.Branches[0].States.Left: Next 'Right' does not name a state in this machine",
    "retry_backoff_below_one": "States.Validate: Retry[0].BackoffRate: 0.5 is less than the minimum of 1.0",
    "retry_bad_jitter": "States.Validate: Retry[0].JitterStrategy: 'RANDOM' is not one of ['FULL', 'NONE']",
    "retry_max_delay_too_long": "States.Validate: Retry[0].MaxDelaySeconds: 31622401 is greater than the maximum",
    "retry_negative_max_attempts": "States.Validate: Retry[0].MaxAttempts: -1 is less than the minimum of 0",
    "start_at_missing": "-: StartAt 'Begin' does not name a state in this machine",
    "states_all_not_last": "States.Validate: Catch[0].ErrorEquals: States.ALL must be alone and in the last Catch",
    "task_without_resource": "States.Validate: missing required field 'Resource'",
    "timeout_and_timeout_path": "States.Validate: TimeoutSeconds and TimeoutSecondsPath are mutually exclusive",
    "unknown_field": "States.Validate: unknown field 'ResultPth'",
    "unknown_state_type": "States.Done: Type: 'Success' is not one of",
    "unreachable_state": "States.Orphan: unreachable from StartAt",
    "unsubstituted_placeholder": "States.Validate: Parameters.JobName: unsubstituted placeholder ${glue_job_name}",
    "wait_bad_timestamp": 'States.Pause: Timestamp: "2026-11-01 09:00" is not an RFC 3339 timestamp',
    "wait_two_durations": "States.Pause: needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath, "
    "found Seconds, Timestamp",
}

# Invalid files statelint 3.1.0 accepts and we reject: AWS rules it does not check...
STATELINT_MISSES = {
    "bad_input_path",  # any string passes as InputPath
    "choice_without_operator",  # a rule with Variable and no operator
    "distributed_without_execution_type",
    "duplicate_key",  # json.loads keeps the last value silently
    "endless_loop",  # no check that a terminal state stays reachable
    "heartbeat_not_below_timeout",
    "item_reader_on_inline_map",
    "jsonata_condition_not_expression",
    "retry_max_delay_too_long",
    "task_without_resource",  # Resource is optional in statelint
    "wait_bad_timestamp",  # with the default config it doesn't parse timestamps strictly
}
# ...and our own rules, which are not ASL rules at all
HOUSE_RULES = {"missing_retry", "unsubstituted_placeholder"}

# Valid files statelint 3.1.0 rejects (with BackoffRate-as-float, its FLOAT check, ignored):
# it predates parts of current Step Functions. Each fragment must match one of its lines.
STATELINT_FALSE_POSITIVES = {
    # JSONata lets these take {% %} expressions
    "jsonata_machine": [
        'Validate.TimeoutSeconds is "{%',
        'Pause.Seconds is "{%',
        'Fan.MaxConcurrency is "{%',
    ],
    # Label and the ReaderConfig fields of a distributed map
    "map_distributed": [
        'Field "Label" not allowed',
        'Field "InputType" not allowed',
        'Field "CSVHeaderLocation" not allowed',
    ],
    # JSONPath variables: Assign in JSONPath states and $name references
    "mixed_query_language": [
        'Field "Assign" not allowed in State Machine.States.Remember',
        'Field "Assign" not allowed in State Machine.States.Check.Choices[0]',
        'Field "S.$" of Parameters',
    ],
}
