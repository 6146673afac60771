"""Make ``terraform init`` work offline when a provider mirror is on disk.

Writes a Terraform CLI config with a ``filesystem_mirror`` for hashicorp/*
providers when a mirror holding hashicorp/aws exists, and an empty config
otherwise (Terraform's default: the public registry). Callers export
``TF_CLI_CONFIG_FILE`` pointing at the returned path.

Mirror location: ``$TAXLAKE_TF_MIRROR`` if set, else the first of the
well-known directories that holds ``registry.terraform.io/hashicorp/aws``.

Usage: ``python tools/terraform_cli.py`` prints ``export TF_CLI_CONFIG_FILE=...``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / ".cache" / "terraform" / "terraformrc"
CANDIDATES = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)
PROVIDER_DIR = Path("registry.terraform.io") / "hashicorp" / "aws"


def find_mirror() -> Path | None:
    """Return the mirror directory, or None to use the public registry."""
    override = os.environ.get("TAXLAKE_TF_MIRROR")
    if override:
        path = Path(override).expanduser()
        if not (path / PROVIDER_DIR).is_dir():
            raise SystemExit(f"TAXLAKE_TF_MIRROR={override} holds no {PROVIDER_DIR}")
        return path
    for candidate in CANDIDATES:
        path = Path(candidate).expanduser()
        if (path / PROVIDER_DIR).is_dir():
            return path
    return None


def render(mirror: Path | None) -> str:
    if mirror is None:
        return "# no local provider mirror found: Terraform uses the public registry\n"
    return f"""# written by tools/terraform_cli.py: hashicorp providers from the local mirror
provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
  direct {{
    exclude = ["registry.terraform.io/hashicorp/*"]
  }}
}}
"""


def write_cli_config(path: Path = DEFAULT_CONFIG) -> Path:
    """Write the CLI config (idempotently) and return its path."""
    text = render(find_mirror())
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def terraform_env(path: Path = DEFAULT_CONFIG) -> dict[str, str]:
    """Environment for running terraform: CLI config, no prompts, shared plugin cache."""
    cache = ROOT / ".cache" / "terraform" / "plugin-cache"
    cache.mkdir(parents=True, exist_ok=True)
    return {
        "TF_CLI_CONFIG_FILE": str(write_cli_config(path)),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "TF_PLUGIN_CACHE_DIR": str(cache),
    }


if __name__ == "__main__":
    for key, value in terraform_env().items():
        print(f"export {key}={value}")
    sys.exit(0)
