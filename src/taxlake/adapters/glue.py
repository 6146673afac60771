"""Glue Data Catalog client, created lazily (moto or the emulator can stand in)."""

from __future__ import annotations

from typing import Any


def glue_client() -> Any:
    import boto3

    return boto3.client("glue")
