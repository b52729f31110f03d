"""`policy-diff init DIR`: a new site that builds at once (`mkdocs build --strict`), for a team
publishing its own policies: `mkdocs.yml` with the plugin, `docs/index.md` with the overview,
and an empty `archive/`. Nothing that exists is overwritten."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import PolicyDiffError
from .storage import write_text_atomic

MKDOCS_YML = """\
# Written by `policy-diff init`. Set site_url to the address the site is published at: feeds
# and the "cite this version" lines use it.
site_name: {name}
site_url: {site_url}
docs_dir: docs
theme:
  name: material
  font: false  # no request to a font CDN: the site works offline and leaks no visits
  features:
    - navigation.sections
    - navigation.top
    - content.code.copy
plugins:
  - search
  - policy-diff:
      archive_dir: archive
      publish_captures: true  # each capture's raw file, as plain text, so readers can check its sha256
markdown_extensions:  # what the policy-diff pages are written with
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences
"""

INDEX_MD = """\
# {title}

Every version of our policies, every change word by word, with our notes on what changed and
advance notice of changes that have not taken effect yet.

<!-- policy-diff:overview -->
"""


def init_site(directory: Path, name: str, site_url: str) -> list[Path]:
    """Write the new site's files; refuses (one line, nothing written) when any exists."""
    config, index, archive = directory / "mkdocs.yml", directory / "docs" / "index.md", directory / "archive"
    existing = [p for p in (config, index) if p.exists()]
    if existing:
        raise PolicyDiffError(f"{existing[0]}: already exists; `policy-diff init` never overwrites a site")
    if archive.exists() and not archive.is_dir():
        raise PolicyDiffError(f"{archive}: exists and is not a directory")
    if not site_url.startswith(("http://", "https://")):
        raise PolicyDiffError(f"--site-url {site_url!r}: expected an absolute http(s) address")
    url = site_url if site_url.endswith("/") else site_url + "/"
    # json.dumps: a double-quoted YAML scalar whatever the name holds (colons, quotes, #)
    write_text_atomic(config, MKDOCS_YML.format(name=json.dumps(name), site_url=json.dumps(url)))
    title = "".join(c if c.isalnum() or c in " -.,'()" else " " for c in name).strip() or "Policies"
    write_text_atomic(index, INDEX_MD.format(title=title))
    archive.mkdir(parents=True, exist_ok=True)
    return [config, index, archive]
