"""AWS and Spark errors are classified by code or class, never by words in their message."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from taxlake.adapters import errors
from taxlake.adapters.s3 import S3Store
from taxlake.pipeline.common import ObjectNotFound, get_json

from .aws import BUCKET, Aws


def client_error(code: str, message: str, operation: str = "GetObject") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def caught(call: Any) -> BaseException:
    with pytest.raises(ClientError) as info:
        call()
    return info.value


def test_s3_missing_keys_are_recognised_by_the_codes_s3_really_sends(aws: Aws) -> None:
    get = caught(lambda: aws.s3.get_object(Bucket=BUCKET, Key="nowhere.json"))
    head = caught(lambda: aws.s3.head_object(Bucket=BUCKET, Key="nowhere.json"))
    assert (errors.aws_error_code(get), errors.aws_error_code(head)) == ("NoSuchKey", "404")
    assert errors.is_missing_object(get) and errors.is_missing_object(head)
    assert not errors.is_access_denied(get)


@pytest.mark.parametrize("code", ["AccessDenied", "403", "AccessDeniedException"])
def test_a_refusal_is_never_a_missing_object_whatever_its_message_says(code: str) -> None:
    exc = client_error(code, "Key 404/NoSuchKey.json Not Found? Access Denied")
    assert errors.is_access_denied(exc)
    assert not errors.is_missing_object(exc)


@pytest.mark.parametrize("message", ["404 Not Found", "NoSuchKey", "Path does not exist: s3://x/y"])
def test_an_error_without_a_code_is_not_classified_by_its_words(message: str) -> None:
    exc = RuntimeError(message)
    assert errors.aws_error_code(exc) is None
    assert not errors.is_missing_object(exc)
    assert not errors.is_missing_path(exc)


class SparkLikeError(Exception):
    """The one method the classification reads from pyspark's AnalysisException."""

    def __init__(self, error_class: str | None, message: str) -> None:
        super().__init__(message)
        self._error_class = error_class

    def getErrorClass(self) -> str | None:
        return self._error_class


@pytest.mark.parametrize("error_class", ["PATH_NOT_FOUND", "DELTA_MISSING_DELTA_TABLE", "DELTA_PATH_DOES_NOT_EXIST"])
def test_spark_missing_paths_are_recognised_by_error_class(error_class: str) -> None:
    assert errors.is_missing_path(SparkLikeError(error_class, "[whatever the text is]"))


def test_a_spark_error_of_another_class_is_not_a_missing_path_even_if_it_says_so() -> None:
    exc = SparkLikeError("UNRESOLVED_COLUMN.WITH_SUGGESTION", "Path does not exist; is not a Delta table")
    assert errors.spark_error_class(exc) == "UNRESOLVED_COLUMN.WITH_SUGGESTION"
    assert not errors.is_missing_path(exc)


class RefusingStore(S3Store):
    """S3 as a role without s3:ListBucket sees it: every HEAD of a missing key is refused."""

    def resolve_key(self, bucket: str, key: str, version_id: str | None) -> tuple[str, int, str | None]:
        raise client_error("403", "Forbidden: 404 NoSuchKey Not Found", "HeadObject")


def test_a_refused_read_of_a_missing_document_is_not_turned_into_object_not_found(aws: Aws) -> None:
    with pytest.raises(ClientError) as info:
        get_json(RefusingStore(aws.s3), BUCKET, "reports/missing.json")
    assert not isinstance(info.value, ObjectNotFound)
    assert errors.aws_error_code(info.value) == "403"


def test_a_missing_document_is_object_not_found(aws: Aws) -> None:
    with pytest.raises(ObjectNotFound, match=r"reports/missing\.json"):
        get_json(S3Store(aws.s3), BUCKET, "reports/missing.json")


def test_head_version_says_none_only_for_a_missing_key(aws: Aws) -> None:
    assert S3Store(aws.s3).head_version(BUCKET, "nowhere.json") is None

    class Refusing(S3Store):
        @property
        def client(self) -> Any:
            real = aws.s3

            class Client:
                def head_object(self, **kwargs: Any) -> Any:
                    raise client_error("403", "Forbidden", "HeadObject")

                def __getattr__(self, name: str) -> Any:
                    return getattr(real, name)

            return Client()

    with pytest.raises(ClientError):
        Refusing(aws.s3).head_version(BUCKET, "nowhere.json")
