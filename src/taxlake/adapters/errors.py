"""What an AWS or Spark error means, read from its code or class, never from its message.

Messages are prose for people: they change between SDK versions and emulators, and
a message that merely mentions "404" (a key named ``404.csv``, a bucket policy's
text) must not turn a refused read into "missing". Codes are the API's contract.
"""

from __future__ import annotations

# S3 answers a GET of a missing key with NoSuchKey; a HEAD has no body, so botocore
# names the error by its status ("404", or "NotFound" from some endpoints).
MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
# S3 says AccessDenied (HEAD: "403"); JSON-protocol services say AccessDeniedException.
ACCESS_DENIED_CODES = frozenset({"AccessDenied", "403", "AccessDeniedException"})
# Spark 3.5 error classes for a path or table that is not there (yet).
MISSING_PATH_CLASSES = frozenset({"PATH_NOT_FOUND", "DELTA_MISSING_DELTA_TABLE", "DELTA_PATH_DOES_NOT_EXIST"})


def aws_error_code(exc: BaseException) -> str | None:
    """The ``Error.Code`` of a botocore ``ClientError`` (None for anything else)."""
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return None
    code = exc.response.get("Error", {}).get("Code")
    return str(code) if code is not None else None


def is_missing_object(exc: BaseException) -> bool:
    """True if S3 said the key does not exist (only a caller allowed s3:ListBucket hears this)."""
    return aws_error_code(exc) in MISSING_OBJECT_CODES


def is_access_denied(exc: BaseException) -> bool:
    """True if the service refused the caller (S3 also says this for a missing key without s3:ListBucket)."""
    return aws_error_code(exc) in ACCESS_DENIED_CODES


def spark_error_class(exc: BaseException) -> str | None:
    """The error class of a PySpark exception (``getErrorClass()``), None if it has none."""
    get = getattr(exc, "getErrorClass", None)
    if get is None:
        return None
    try:
        value = get()
    except Exception:  # a py4j-backed exception whose JVM side is gone
        return None
    return str(value) if value else None


def is_missing_path(exc: BaseException) -> bool:
    """True if Spark could not read a path because nothing (no table) is there yet."""
    return spark_error_class(exc) in MISSING_PATH_CLASSES
