#!/usr/bin/env python3
"""Every ```rust block of docs/plugins.md occurs verbatim in the plugin template,
which CI builds and tests: so the page's code compiles and cannot drift."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
doc = (root / "docs/plugins.md").read_text()
sources = {
    p: p.read_text()
    for p in [root / "templates/plugin/src/lib.rs", root / "templates/plugin/tests/harness.rs"]
}
blocks = re.findall(r"```rust\n(.*?)```", doc, re.S)
missing = [b for b in blocks if not any(b in text for text in sources.values())]
for block in missing:
    first = block.strip().splitlines()[0]
    print(f"docs/plugins.md: a rust block is not in templates/plugin (starts: {first!r})")
if not blocks:
    print("docs/plugins.md: no rust blocks found")
    sys.exit(1)
print(f"{len(blocks) - len(missing)} of {len(blocks)} rust blocks of docs/plugins.md are template code")
sys.exit(1 if missing else 0)
