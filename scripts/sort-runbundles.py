#!/usr/bin/env python3
"""Sorts the committed -runbundles list of each .bndrun given (bnd-resolver-maven-plugin compares the committed
list with its resolution in order, and appends new bundles at the end when it rewrites the list)."""
import re, sys

for path in sys.argv[1:]:
    text = open(path).read()
    m = re.search(r"^-runbundles: \\\n((?:\t.*\n?)+)", text, re.M)
    if not m:
        continue
    entries = [line.strip().rstrip(',\\').strip() for line in m.group(1).splitlines() if line.strip()]
    entries = sorted(set(entries), key=lambda e: (e.split(";")[0], e))  # by symbolic name, as bnd writes it
    body = ",\\\n".join("\t" + e for e in entries) + "\n"
    text = text[:m.start(1)] + body + text[m.end(1):]
    open(path, "w").write(text)
