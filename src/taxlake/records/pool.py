"""Chunk work on a small thread pool, results in input order.

pyarrow kernels release the GIL, so working on one chunk overlaps with reading
the next; at most ``workers`` items are in flight, so memory stays bounded
whatever the file's size.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_order(
    fn: Callable[[T], R], items: Iterable[T], workers: int, *, name: str = "chunk"
) -> Generator[tuple[T, R], None, None]:
    """(item, fn(item)) for each item, in order, with up to ``workers`` (capped at 8) at once."""
    workers = max(1, min(workers, 8))
    if workers == 1:
        for item in items:
            yield item, fn(item)
        return
    pending: deque[tuple[T, Future[R]]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
        try:
            for item in items:
                pending.append((item, pool.submit(fn, item)))
                if len(pending) >= workers:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        finally:
            for _item, future in pending:
                future.cancel()
