"""Glue Data Catalog client, created lazily (moto or the emulator can stand in)."""

from __future__ import annotations

from typing import Any

from taxlake.adapters import aws_client


def glue_client() -> Any:
    return aws_client("glue")
