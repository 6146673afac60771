"""python -m localaws [--host 127.0.0.1] [--port 4566]: serve the local AWS endpoint."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="localaws", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1 only)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOCALAWS_PORT", "4566")))
    args = parser.parse_args(argv)
    # moto's Step Functions interpreter and Lambda workers call back to this port
    os.environ["MOTO_PORT"] = str(args.port)
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    os.environ.setdefault("LOCALAWS_ENDPOINT", f"http://{args.host}:{args.port}")

    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger("localaws").addHandler(handler)
    logging.getLogger("localaws").setLevel(logging.INFO)

    from moto import server
    from moto.core.config import default_user_config

    import localaws

    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    localaws.install()
    server.main(["-H", args.host, "-p", str(args.port)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
