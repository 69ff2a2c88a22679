#!/usr/bin/env python3
"""Import cycles of the crate, from the source text (no compiler needed).

Every `crate::a::b` path (in `use` lines and inline), every `super::x` and `self::x` path, and
every bare `x::…` whose `x` is a child module of the file is an edge from the file it is in to
the module it names. Two graphs are checked:

- the layers: `app`, `cli`, `tui`, `ui` (and the other top modules) as single nodes;
- the files of `app/`, of `domain/` and of `store/`, each file a node (edges inside the same
  tree only). In `app/` each file of `model/` and each `app/*.rs` is a node, and `update/` and
  `run/` are one node each (their `mod.rs` routes into handlers that share its helpers): so the
  model, update, run and the driver never import one another in a circle, and the model's
  files not among themselves. A `pub use` in a `mod.rs` is an edge like any other, so a
  re-export that lets a file reach back to itself is a cycle too.

A strongly connected component of more than one node is a cycle; the script prints each one
and exits 1. Test modules (`#[cfg(test)] mod tests`) are left out: they may use anything.

    python3 .ci/import_cycles.py [SRC_DIR]
    python3 .ci/import_cycles.py --self-test   # the forms of path it must see, on a made-up tree
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(__file__), "..", "src")
START = re.compile(r"\b(crate|super|self)\s*::")
# A bare `x::…` (in a `use` line or inline, not after another `::`): a path into the child
# module `x` when the file has one (`pub use model::State;`, `live::update(state, a)` in a mod.rs).
REL = re.compile(r"(?<![\w:])(?=[A-Za-z_]\w*\s*::)(?!(?:crate|super|self|std|core|alloc)\b)")
IDENT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\*)\s*")


def module_of(rel):
    """`app/live.rs` -> ['app', 'live']; `app/mod.rs` -> ['app']; `tui.rs` -> ['tui']."""
    parts = rel[:-3].split("/")
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


# Subtrees of `app/` checked as one node (see the docstring).
WHOLE = {("app", "update"), ("app", "run")}


def node_of(module):
    """The node a module counts as: its file, or the subtree of `WHOLE` it is in."""
    for w in WHOLE:
        if tuple(module[: len(w)]) == w:
            return list(w)
    return list(module)


def name_of(module):
    """`['app', 'live']` -> `app/live` (`app/live.rs`, or `app/live/mod.rs`)."""
    return "/".join(module)


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


def targets(rel, text, known=()):
    """Every module path `crate::…`, `super::…`, `self::…` (and `use child::…`) names in the
    file, resolved from the crate root."""
    here = module_of(rel)
    # A file `a/b.rs` is module a::b; `super` is a (a mod.rs is already its directory's module).
    parent = here[:-1]
    for m in REL.finditer(text):
        paths, _ = use_tree(text, m.end())
        for segs in paths:
            if segs and tuple(here + segs[:1]) in known:
                yield here + [s for s in segs if s != "*"]
    for m in START.finditer(text):
        paths, _ = use_tree(text, m.end())
        for segs in paths:
            base = {"crate": [], "super": list(parent), "self": list(here)}[m.group(1)]
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
    layers, trees = {}, {"app": {}, "domain": {}, "store": {}}
    known = {tuple(module_of(rel)) for rel, _ in files()}
    for rel, full in files():
        with open(full, encoding="utf-8") as f:
            text = strip_tests(f.read())
        here = module_of(rel)
        top = here[0] if here else "lib"
        for t in targets(rel, text, known):
            if not t:
                continue
            if t[0] != top:
                layers.setdefault(top, set()).add(t[0])
            elif top in trees:
                # The longest known module the path names is the file it points to.
                for n in range(len(t), 0, -1):
                    if tuple(t[:n]) in known:
                        src, dst = node_of(here), node_of(t[:n])
                        if src != dst:
                            trees[top].setdefault(name_of(src), set()).add(name_of(dst))
                        break
    bad = False
    for name, graph in [("layers", layers)] + list(trees.items()):
        for comp in sccs(graph):
            bad = True
            print(f"cycle in {name}: {' <-> '.join(comp)}")
            for v in comp:
                print(f"  {v} -> {', '.join(sorted(w for w in graph.get(v, ()) if w in comp))}")
    if not bad:
        print("no import cycle: layers, app/, domain/, store/")
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
        "model importing update": {
            "app/model/state.rs": "use crate::app::update::update;\n",
            "app/update/mod.rs": "use crate::app::model::state::State;\n",
        },
        "pub use in a mod.rs": {
            "app/mod.rs": "pub mod model;\npub use self::model::state::State;\n",
            "app/model/state.rs": "use crate::app::Keys;\n",
        },
        "bare child path in a mod.rs": {
            "app/mod.rs": "pub use model::state::{State, Mode};\n",
            "app/model/mod.rs": "pub mod state;\n",
            "app/model/state.rs": "use crate::app::keys::Keys;\n",
            "app/keys.rs": "fn f() { super::Mode::View; }\n",
        },
        "handler into the driver": {
            "app/update/mod.rs": "mod live;\n",
            "app/update/live.rs": "fn f() { crate::app::driver::drain(); }\n",
            "app/driver.rs": "use super::update::update;\n",
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
