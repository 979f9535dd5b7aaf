#!/usr/bin/env python3
"""include-layers.py - the #include "..." edges between the top-level folders, and the rule
they follow: the stages run probe, plan, measure, store, compare, and none reaches back.

    base/     the vocabulary and contracts (errors, ids, attributes, the guest protocol):
              includes no other folder
    kernels/  the freestanding measured operations: base/
    host/     Linux processes, the VMM, the module and its client: base/, kernels/
    guest/    the payload: base/, kernels/
    results/  the database, statistics and outputs: base/
    bench/    the suite and the command line: all of the above
    tests/    anything

scripts/include-layers.py [--check] [ROOT]   (ROOT: the source tree, default: this one)

Prints the count of include lines and of distinct headers per pair of folders; with --check,
exits 1 after naming every include that breaks the rule (or does not resolve), else 0.
"""
import collections
import os
import re
import sys

ALLOWED = {
    "base": set(),
    "kernels": {"base"},
    "host": {"base", "kernels"},
    "guest": {"base", "kernels"},
    "results": {"base"},
    "bench": {"base", "kernels", "host", "guest", "results"},
    "tests": {"base", "kernels", "host", "guest", "results", "bench"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE = re.compile(r"\.(c|h|cc|S)$")


def sources(root):
    for top in ALLOWED:
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = [d for d in dirs if d != "corpus"]
            for name in files:
                if SOURCE.search(name):
                    yield os.path.relpath(os.path.join(folder, name), root)


def resolve(root, source, header):
    """The file an include names, as the build finds it: beside the source, from the root,
    or from host/ (xb_host's include directory)."""
    for candidate in (os.path.join(os.path.dirname(source), header), header, os.path.join("host", header)):
        path = os.path.normpath(candidate)
        if os.path.isfile(os.path.join(root, path)):
            return path
    return None


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    lines, headers, broken = collections.Counter(), collections.defaultdict(set), []
    for source in sorted(sources(root)):
        top = source.split(os.sep)[0]
        with open(os.path.join(root, source), errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = resolve(root, source, m.group(1))
                if target is None:
                    broken.append(f"{source}:{number}: \"{m.group(1)}\" names no file of the tree")
                    continue
                to = target.split(os.sep)[0]
                if to == top:
                    continue
                lines[(top, to)] += 1
                headers[(top, to)].add(target)
                if to not in ALLOWED[top]:
                    broken.append(f"{source}:{number}: {top}/ includes {target}: {top}/ may include "
                                  f"{', '.join(sorted(ALLOWED[top])) or 'no other folder'}")
    for (a, b), n in sorted(lines.items()):
        print(f"{a:8} -> {b:8} {n:4} include lines {len(headers[(a, b)]):4} headers")
    print(f"{sum(lines.values())} include lines between {len(lines)} pairs of folders")
    for b in broken:
        print(b, file=sys.stderr)
    return 1 if check and broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
