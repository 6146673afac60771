"""AWS adapters: the only place the library talks to AWS (boto3 loaded lazily)."""

from __future__ import annotations

from typing import Any, ClassVar


def aws_client(service: str) -> Any:
    """A boto3 client with standard retries, imported and created only when first needed, so
    the domain library imports without boto3 and moto or the emulator (``AWS_ENDPOINT_URL``)
    can stand in."""
    import boto3
    from botocore.config import Config

    return boto3.client(service, config=Config(retries={"mode": "standard", "max_attempts": 5}))


class LazyClient:
    """An adapter given a client, or creating its ``service``'s on first use."""

    service: ClassVar[str]

    def __init__(self, client: Any = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws_client(self.service)
        return self._client
