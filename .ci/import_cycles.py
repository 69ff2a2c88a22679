#!/usr/bin/env python3
"""Import cycles of the crate, from the source text (no compiler needed).

Every `crate::a::b` path (in `use` lines and inline), every `super::x` and `self::x` path, and
every bare `x::…` whose `x` is a child module of the file is an edge from the file it is in to
the module it names. Two graphs are checked:

- the layers: `app`, `cli`, `tui`, `ui` (and the other top modules) as single nodes;
- the files of `app/`, of `domain/` and of `store/`, each file a node (edges inside the same
  tree only). In `app/` that is every file of `model/`, `update/` and `run/` and the
  driver: a handler never reaches back into
  the router (`update/mod.rs`) that routes to it, and nothing reaches back into `app/mod.rs`
  through what it re-exports. A `pub use` in a `mod.rs` is an edge like any other, so a
  re-export that lets a file reach back to itself is a cycle too.

A strongly connected component of more than one node is a cycle; the script prints each one
and exits 1. It also fails when a file of `app/model/` imports `update`, `run` or the driver
(even without a cycle): the model is plain data. Test modules (`#[cfg(test)] mod tests`) are left out: they may use anything.

    python3 .ci/import_cycles.py [SRC_DIR]
    python3 .ci/import_cycles.py --self-test   # the forms of path it must see (and must not
                                               # misread), on made-up trees
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(__file__), "..", "src")
# Not after `::`: the second `super` of `super::super::x` belongs to the first one's path.
START = re.compile(r"(?<![\w:])(crate|super|self)\s*::")
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
                        if tuple(t[:n]) != tuple(here):
                            trees[top].setdefault(name_of(here), set()).add(name_of(t[:n]))
                        break
    bad = False
    # The model is plain data: it may not import what changes it or runs its effects.
    for src, dsts in sorted(trees["app"].items()):
        if src.startswith("app/model"):
            for dst in sorted(dsts):
                if dst.split("/")[:2] in (["app", "update"], ["app", "run"], ["app", "driver"]):
                    bad = True
                    print(f"app/model imports {dst}: {src} -> {dst}")
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
    """Each made-up tree hides one cycle (or a model file importing run) behind one form of
    path; each must be found. The clean trees must pass."""
    import contextlib
    import io
    import tempfile

    cases = {
        "super::super": {
            "app/update/mod.rs": "mod editor;\nuse super::model::State;\n",
            "app/model/mod.rs": "pub mod state;\n",
            "app/model/state.rs": "use crate::app::update::editor::f;\n",
            "app/update/editor.rs": "use super::super::model::state::State;\n",
        },
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
        "model importing run (no cycle)": {
            "app/model/state.rs": "use crate::app::run::EffectContext;\n",
            "app/run/mod.rs": "pub struct EffectContext;\n",
        },
        "handler into the driver": {
            "app/update/mod.rs": "mod live;\npub fn update() { live::f() }\n",
            "app/update/live.rs": "fn f() { crate::app::driver::drain(); }\n",
            "app/driver.rs": "use super::update::update;\n",
        },
        "layers": {
            "cli/mod.rs": "use crate::mcp::Server;\n",
            "mcp/mod.rs": "use crate::{cli::status::x, domain};\n",
        },
    }
    # Trees without a cycle: nothing may be reported.
    clean = {
        "super::super is one path": {
            "app/mod.rs": "pub mod effect;\npub mod update;\n",
            "app/effect.rs": "pub struct Effect;\n",
            "app/update/mod.rs": "mod editor;\nuse self::editor::f;\n",
            "app/update/editor.rs": "use super::super::effect::Effect;\n",
        },
        "a path after :: is not a child module": {
            "app/update/mod.rs": "mod live;\nuse crate::app::model::live::Live;\n",
            "app/update/live.rs": "use crate::app::model::live::Live;\n",
            "app/model/live.rs": "pub struct Live;\n",
        },
    }
    failed = 0
    global SRC
    for name, tree in clean.items():
        with tempfile.TemporaryDirectory() as d:
            for rel, text in tree.items():
                os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
                with open(os.path.join(d, rel), "w", encoding="utf-8") as f:
                    f.write(text)
            SRC = d
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                found = main_on(d)
            if found != 0:
                failed += 1
                print(f"self-test: a cycle was reported where there is none ({name}):")
                print(out.getvalue(), end="")
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
                print(f"self-test: the case {name!r} was not found")
    print("self-test: ok" if not failed else f"self-test: {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
