"""Names vulture reports as unused that are used by something it cannot see (read by `nox -s lint`).

Each group says who uses them. A name that is really dead is deleted, never listed here.
"""

# ruff: noqa: B018 - bare names are how vulture reads a whitelist
_ = object()

# nox finds sessions and options by decorator and attribute
docs, tests, package, security, bench, mutation, up_under_load  # noqa: F821
_.sessions, _.reuse_existing_virtualenvs, _.error_on_missing_interpreters

# pytest finds fixtures and hooks by name
fake_aws, fake_terraform, fast_minutes, pytest_collection_modifyitems  # noqa: F821

# io.RawIOBase and pyarrow's FileSystemHandler call these (taxlake.records.readers, adapters.s3,
# the benchmark's counting filesystem)
_.readable, _.writable, _.get_type_name, _.normalize_path, _.get_file_info_selector, _.open_input_stream
create_dir, delete_dir, delete_dir_contents, delete_root_dir_contents  # noqa: F821
copy_file, delete_file, move, open_append_stream  # noqa: F821

# the Lambda context object a handler may read (localaws.lambda_runner builds it)
aws_request_id, invoked_function_arn, memory_limit_in_mb, _.get_remaining_time_in_millis  # noqa: F821

# moto's models and Step Functions task classes read these attributes and methods
# (localaws.emr_serverless, localaws.s3, localaws.lambdas set what moto serialises or calls)
_.created_at, _.updated_at, _.created_by, _.ended_at, _.state_details, _.architecture, _.ephemeral_storage
_.total_execution_duration_seconds, _.total_resource_utilization
_.versioning_status, _.default_lock_mode, _.default_lock_days, _.default_lock_years
_._eval_service_task, _._get_supported_parameters

# zipfile reads these of each ZipInfo (tools/build.py: deterministic archives)
_.create_system, _.compress_type

# fields of the validation report, written with dataclasses.asdict (consumers read them)
report_version, validator_version  # noqa: F821
