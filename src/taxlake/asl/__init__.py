"""Amazon States Language tooling: a JSON Schema, a graph lint and IAM derivation.

``taxlake asl lint`` and ``taxlake asl policy`` are the command-line faces of
``lint_definition`` / ``render_template`` and ``derive_statements``.
"""

from taxlake.asl.lint import Problem, TemplateError, lint_definition, lint_text, render_template
from taxlake.asl.policy import PolicyError, derive_policy, derive_statements, policy_document
from taxlake.asl.schema import asl_schema

__all__ = [
    "PolicyError",
    "Problem",
    "TemplateError",
    "asl_schema",
    "derive_policy",
    "derive_statements",
    "lint_definition",
    "lint_text",
    "policy_document",
    "render_template",
]
