#!/usr/bin/env python3
"""Import cycles of the crate, from the source text (no compiler needed).

Every `crate::a::b` path (in `use` lines and inline) and every `super::x` path is an edge from
the file it is in to the module it names. Two graphs are checked:

- the layers: `app`, `cli`, `tui`, `ui` (and the other top modules) as single nodes;
- the files of `domain/` and of `store/`, each file a node (edges inside the same tree only).

A strongly connected component of more than one node is a cycle; the script prints each one
and exits 1. Test modules (`#[cfg(test)] mod tests`) are left out: they may use anything.

    python3 .ci/import_cycles.py [SRC_DIR]
    python3 .ci/import_cycles.py --self-test   # the forms of path it must see, on a made-up tree
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(__file__), "..", "src")
START = re.compile(r"\b(crate|super)\s*::")
IDENT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\*)\s*")


def module_of(rel):
    """`app/live.rs` -> ['app', 'live']; `app/mod.rs` -> ['app']; `tui.rs` -> ['tui']."""
    parts = rel[:-3].split("/")
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def strip_tests(text):
    cut = re.search(r"#\[cfg\(test\)\]\s*mod tests", text)
    return text[: cut.start()] if cut else text


def files():
    for dirpath, _, names in os.walk(SRC):
        for n in names:
            if n.endswith(".rs"):
                full = os.path.join(dirpath, n)
                yield os.path.relpath(full, SRC).replace(os.sep, "/"), full


def use_tree(text, i):
    """Parse the path tree that starts at text[i] (just after `crate::`/`super::`).

    Returns (paths, end): every full path the tree names, as lists of segments, so that
    `crate::domain::{artifact::{A, B}, phase}` names both `domain::artifact` and `domain::phase`.
    """
    if text.startswith("{", i):
        paths, i = [], i + 1
        while True:
            while i < len(text) and text[i] in " \t\r\n,":
                i += 1
            if i >= len(text) or text[i] == "}":
                return paths, i + 1
            sub, j = use_tree(text, i)
            if j == i:  # not a path (a comment, `as x`): skip one character
                i += 1
                continue
            paths.extend(sub)
            i = j
    m = IDENT.match(text, i)
    if not m:
        return [], i
    name, i = m.group(1), m.end()
    if text.startswith("::", i):
        rest, i = use_tree(text, i + 2)
        return [[name] + r for r in rest] or [[name]], i
    if name in ("self", "*"):
        return [[]], i
    return [[name]], i


def targets(rel, text):
    """Every module path `crate::…` and `super::…` names in the file, resolved from the crate root."""
    here = module_of(rel)
    # A file `a/b.rs` is module a::b; `super` is a, unless the file is a mod.rs.
    parent = here[:-1]
    for m in START.finditer(text):
        paths, _ = use_tree(text, m.end())
        for segs in paths:
            base = [] if m.group(1) == "crate" else list(parent)
            while segs and segs[0] == "super":
                base = base[:-1]
                segs = segs[1:]
            yield base + [s for s in segs if s != "*"]


def sccs(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return [sorted(c) for c in out if len(c) > 1]


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--self-test":
        return self_test()
    return main_on(sys.argv[1] if len(sys.argv) > 1 else SRC)


def main_on(src):
    global SRC
    SRC = src
    layers, trees = {}, {"domain": {}, "store": {}}
    known = {tuple(module_of(rel)) for rel, _ in files()}
    for rel, full in files():
        with open(full, encoding="utf-8") as f:
            text = strip_tests(f.read())
        here = module_of(rel)
        top = here[0] if here else "lib"
        for t in targets(rel, text):
            if not t:
                continue
            if t[0] != top:
                layers.setdefault(top, set()).add(t[0])
            elif top in trees and len(here) > 1:
                # The longest known module the path names is the file it points to.
                for n in range(len(t), 1, -1):
                    if tuple(t[:n]) in known:
                        if tuple(t[:n]) != tuple(here):
                            trees[top].setdefault("/".join(here), set()).add("/".join(t[:n]))
                        break
    bad = False
    for name, graph in [("layers", layers)] + list(trees.items()):
        for comp in sccs(graph):
            bad = True
            print(f"cycle in {name}: {' <-> '.join(comp)}")
            for v in comp:
                print(f"  {v} -> {', '.join(sorted(w for w in graph.get(v, ()) if w in comp))}")
    if not bad:
        print("no import cycle: layers, domain/, store/")
    return 1 if bad else 0


def self_test():
    """Each made-up tree hides one cycle behind one form of path; each must be found."""
    import contextlib
    import io
    import tempfile

    cases = {
        "nested group": {
            "domain/a.rs": "use crate::domain::{b::{X, Y}, c};\n",
            "domain/b.rs": "use super::a::Z;\n",
        },
        "super group": {
            "domain/a.rs": "use super::{\n    b::X,\n    c,\n};\n",
            "domain/b.rs": "pub(crate) fn f() { super::a::g() }\n",
        },
        "pub use": {
            "store/a.rs": "pub use super::b::X;\n",
            "store/b.rs": "use crate::store::a::Y;\n",
        },
        "layers": {
            "cli/mod.rs": "use crate::mcp::Server;\n",
            "mcp/mod.rs": "use crate::{cli::status::x, domain};\n",
        },
    }
    failed = 0
    global SRC
    for name, tree in cases.items():
        with tempfile.TemporaryDirectory() as d:
            for rel, text in tree.items():
                os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
                with open(os.path.join(d, rel), "w", encoding="utf-8") as f:
                    f.write(text + "\n#[cfg(test)]\nmod tests { use crate::x::y; }\n")
            SRC = d
            with contextlib.redirect_stdout(io.StringIO()):
                found = main_on(d)
            if found != 1:
                failed += 1
                print(f"self-test: the cycle through a {name} was not found")
    print("self-test: ok" if not failed else f"self-test: {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
