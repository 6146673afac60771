"""``taxlake asl lint`` and ``taxlake asl policy``: argument wiring and output.

Exit codes: 0 every file passes, 1 a problem was found (printed one per line as
``file:state: message``), 2 usage error (unreadable file, bad vars file).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from taxlake.asl.lint import TemplateError, lint_text, parse_definition, render_template
from taxlake.asl.policy import PolicyError, derive_policy, derive_template, policy_document

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _account(text: str) -> str:
    if not re.fullmatch(r"\d{12}", text):
        raise argparse.ArgumentTypeError(f"not a 12-digit AWS account id: {text!r}")
    return text


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``lint`` and ``policy`` subcommands to the ``asl`` parser."""
    sub = parser.add_subparsers(dest="asl_command", required=True)
    lint = sub.add_parser(
        "lint",
        help="validate definitions: schema, graph, Retry/Catch policy, placeholders",
        description="Print one 'file:state: message' line per problem. Exit 0 if every file passes, 1 if not.",
        epilog="House policy: every Task has Retry and Catch. Exempt one state with 'asl-lint: no-retry' and/or "
        "'asl-lint: no-catch' in its Comment, next to the reason; --no-require-retry-catch turns the policy off.",
    )
    lint.add_argument("files", nargs="+", metavar="FILE", help="*.asl.json definition or template")
    lint.add_argument("--vars", type=Path, metavar="VARS.json", help="substitute ${name} from this JSON object")
    lint.add_argument(
        "--template", action="store_true", help="substitute each ${name} with a dummy value of the right shape"
    )
    lint.add_argument(
        "--no-require-retry-catch",
        dest="require_retry_catch",
        action="store_false",
        help="don't require Retry and Catch on every Task",
    )

    policy = sub.add_parser(
        "policy",
        help="print the least-privilege IAM policy the state machine role needs",
        description="Print an IAM policy document (JSON) for the definition's Task integrations.",
    )
    policy.add_argument("file", metavar="FILE")
    source = policy.add_mutually_exclusive_group()
    source.add_argument("--vars", type=Path, metavar="VARS.json", help="substitute ${name} from this JSON object")
    source.add_argument("--template", action="store_true", help="substitute dummy values for ${name}")
    source.add_argument(
        "--placeholders",
        action="store_true",
        help="keep each ${name} and print a policy template (plus ${partition}, ${region}, ${account_id}) "
        "for Terraform's templatefile(); --region and --account are then not used",
    )
    policy.add_argument("--region", help="region of the ARNs the policy builds (required without --placeholders)")
    policy.add_argument(
        "--account", type=_account, help="account of the ARNs the policy builds (required without --placeholders)"
    )


def _usage(message: str) -> int:
    print(f"taxlake asl: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load_vars(path: Path | None) -> tuple[Mapping[str, str] | None, str | None]:
    if path is None:
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, f"can't read vars file {path}: {exc.strerror}"
    except json.JSONDecodeError as exc:
        return None, f"vars file {path} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    if not isinstance(data, dict) or not all(isinstance(v, str | int | float | bool) for v in data.values()):
        return None, f"vars file {path} must be a JSON object of strings or numbers"
    # templatefile() renders booleans as Terraform does: true/false
    return {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in data.items()}, None


def run(args: argparse.Namespace) -> int:
    if args.asl_command == "lint":
        return _lint(args)
    return _policy(args)


def _lint(args: argparse.Namespace) -> int:
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        return _usage(f"not a readable file: {', '.join(missing)}")
    variables, error = _load_vars(args.vars)
    if error:
        return _usage(error)
    worst = EXIT_OK
    for name in args.files:
        text = Path(name).read_text(encoding="utf-8")
        problems = lint_text(
            text, variables=variables, dummy=args.template, require_retry_catch=args.require_retry_catch
        )
        for problem in problems:
            print(f"{name}:{problem}")
        if problems:
            worst = EXIT_FAIL
    return worst


def _policy(args: argparse.Namespace) -> int:
    if not Path(args.file).is_file():
        return _usage(f"not a readable file: {args.file}")
    variables, error = _load_vars(args.vars)
    if error:
        return _usage(error)
    text = Path(args.file).read_text(encoding="utf-8")
    if args.placeholders:
        return _policy_template(args.file, text)
    if not (args.region and args.account):
        return _usage("policy needs --region and --account (or --placeholders)")
    # Retry/Catch is a lint concern; the policy only needs a well-formed definition
    problems = lint_text(text, variables=variables, dummy=args.template, require_retry_catch=False)
    if not problems:
        if variables is not None or args.template:
            text = render_template(text, variables, args.template)
        doc, _ = parse_definition(text)
        result = derive_policy(doc, region=args.region, account=args.account)
        problems = result.problems
    for problem in problems:
        print(f"{args.file}:{problem}")
    if problems:
        return EXIT_FAIL
    print(json.dumps(policy_document(result.statements), indent=2))
    return EXIT_OK


def _policy_template(name: str, text: str) -> int:
    try:
        document = derive_template(text)
    except (PolicyError, TemplateError) as exc:
        for problem in exc.problems:
            print(f"{name}:{problem}")
        return EXIT_FAIL
    print(json.dumps(document, indent=2))
    return EXIT_OK
