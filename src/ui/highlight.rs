//! Markdown highlighting of the artifact editor with syntect's Markdown grammar, painted with
//! phasegate's theme slots (`markdown.heading`, `markdown.code`, `markdown.emphasis`,
//! `markdown.list`, `markdown.comment`, and `markdown.id` for ID tokens, overlaid here) rather
//! than syntect's themes, so every theme, mono and 16 colors included, applies.
//!
//! - **Loading.** The syntax set loads once ([`warm_up`], behind a `OnceLock`), off the main
//!   thread after the first frame; it also compiles the grammar's regexes on a sample (a few
//!   milliseconds: what made the first frame late when it waited for them). Until it is ready
//!   the editor is drawn with [`Cache::quick_runs`]: line-local rules ([`fallback_runs`]) and
//!   whether the line is inside a fence or a comment. It paints what the grammar paints on
//!   every line of the samples and templates but one (a test holds it to that), so the frame
//!   drawn once the grammar is ready changes nothing or a few cells.
//! - **Only what is visible, cached.** [`Cache::prepare`] parses the rows about to be drawn. The
//!   parse state at the start of every `STRIDE`-th line from the top is kept (`chain`), as is
//!   every parsed line's result keyed by its text and start state (`memo`), so scrolling parses
//!   only the lines that came into view and a frame that shows the same lines parses nothing.
//!   An edit invalidates from its first row ([`Cache::invalidate_from`]); a line whose start
//!   state and text are unchanged keeps its result, so typing re-parses the edited line only.
//! - **Far jumps.** When the first visible line is more than `MAX_CATCHUP` lines past the
//!   nearest exact state (a jump to the end of a 50,000-line artifact), parsing resumes at a
//!   sync point instead: the closest line above that follows a blank line outside code fences
//!   and HTML comments, from the state after a blank line. Markdown's state does not carry
//!   across such a line in practice; inside a long fence the parse resumes from the fence's
//!   opening line. Frames stay within a few milliseconds at any position.
//!
//! Never called from `update`: highlighting happens while drawing, on the rows drawn.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxSet};

use crate::domain::ids::scan_ids;

/// What a run of text is painted as; the editor maps it to a theme slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Paint {
    Heading,
    Code,
    Comment,
    /// A list bullet or number.
    List,
    /// `*italic*`, `> quotes`.
    Emphasis,
    /// `**bold**`: the emphasis slot, bold instead of its own modifiers.
    Strong,
    /// A link target: underlined.
    Link,
    /// An ID token (`REQ-1`, `COMP-3`…).
    Id,
}

/// Bytes `start..end` of a line painted as `paint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub end: usize,
    pub paint: Paint,
}

/// Lines between stored exact parse states.
const STRIDE: usize = 32;
/// The most lines parsed to reach the first visible line from a stored state; farther means a
/// sync point (about 25 µs a line in a release build).
const MAX_CATCHUP: usize = 120;
/// How far above the first visible line a sync point is looked for.
const SYNC_BACK: usize = 100;
/// Lines parsed before the first visible one when no sync point is near.
const WARMUP: usize = 24;
/// Parsed lines kept in the memo beyond the visible ones, either side.
const MEMO_MARGIN: usize = 256;
/// Lines an echo's frame scans for fences and comments at most (`Cache::prepare_echo`).
const ECHO_SCAN: usize = 256;

/// A parse position: syntect's parser state and the scope stack at that point.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HlState {
    parse: ParseState,
    stack: ScopeStack,
}

/// Scope prefixes, by priority: a run inside a code span is code even where the code's own
/// grammar says comment.
struct Rules {
    rules: Vec<(Paint, Vec<Scope>)>,
}

impl Rules {
    fn new() -> Option<Rules> {
        let table: [(Paint, &[&str]); 7] = [
            (Paint::Code, &["markup.raw"]),
            (Paint::Comment, &["comment"]),
            (Paint::Heading, &["markup.heading"]),
            (
                Paint::List,
                &[
                    "markup.list.unnumbered.bullet",
                    "markup.list.numbered.bullet",
                    "punctuation.definition.list_item",
                ],
            ),
            (Paint::Strong, &["markup.bold"]),
            (Paint::Emphasis, &["markup.italic", "markup.quote"]),
            (Paint::Link, &["markup.underline.link"]),
        ];
        let mut rules = Vec::new();
        for (paint, names) in table {
            let scopes = names
                .iter()
                .map(|n| Scope::new(n).ok())
                .collect::<Option<Vec<_>>>()?;
            rules.push((paint, scopes));
        }
        Some(Rules { rules })
    }

    fn paint(&self, stack: &ScopeStack) -> Option<Paint> {
        let scopes = stack.as_slice();
        self.rules.iter().find_map(|(paint, prefixes)| {
            scopes
                .iter()
                .any(|s| prefixes.iter().any(|p| p.is_prefix_of(*s)))
                .then_some(*paint)
        })
    }
}

/// The loaded grammar (shared by every thread; parse states are not, see [`Cache`]).
pub struct Engine {
    syntaxes: SyntaxSet,
    markdown: usize,
    rules: Rules,
}

/// The two states parsing starts from.
#[derive(Debug, Clone)]
struct Origins {
    /// At the top of a document.
    start: HlState,
    /// After a blank line: where a sync point resumes.
    resume: HlState,
}

/// The grammar, loaded and warmed up once per process (`None`: it failed to load).
static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();

/// A Markdown sample touching the grammar's own common contexts, so their regexes are compiled
/// before the first highlighted frame.
const WARM_SAMPLE: &str = "# Title\n\n## Requirements\n\nText with *emphasis*, **bold**, \
`code` and a [link](https://example.com).\n\n- REQ-1: a list item\n  continued\n1. numbered\n\n\
> a quote\n\n### COMP-1: component\n- satisfies: REQ-1\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
<!-- a comment\nover lines -->\n\n    indented code\n\n```\nplain\n```\n";

/// The languages engagements put in fences. Their grammars compile most of the start-up time
/// (each fence language brings its own regexes): they are warmed after the grammar is ready, so
/// the first frame does not wait for them (a fence drawn before compiles what it needs).
const FENCES_SAMPLE: &str = "```yaml\nkey: value # comment\nlist:\n  - a\n```\n\n\
```json\n{\"a\": [1, 2]}\n```\n\n```bash\nset -eu\necho \"$HOME\" | grep x\n```\n\n```python\n\
def f(x):\n    return x  # c\n```\n\n```xml\n<a b=\"c\"/>\n```\n";

/// Parses `sample` from the top of a document, for the regexes it compiles.
fn parse_sample(engine: &Engine, origins: &Origins, sample: &str) {
    let mut state = origins.start.clone();
    let mut buf = String::new();
    for line in sample.lines() {
        let _ = engine.parse_line(origins, &mut state, line, &mut buf);
    }
}

fn load() -> Option<Engine> {
    let syntaxes = SyntaxSet::load_defaults_newlines();
    let markdown = syntaxes
        .syntaxes()
        .iter()
        .position(|s| s.name == "Markdown")?;
    let engine = Engine {
        syntaxes,
        markdown,
        rules: Rules::new()?,
    };
    let origins = engine.origins()?;
    parse_sample(&engine, &origins, WARM_SAMPLE);
    Some(engine)
}

/// Loads the Markdown grammar and compiles its own regexes (blocking; a few milliseconds the
/// first time, nothing after; a caller arriving while another thread loads waits for it).
/// Returns whether highlighting is available. The fenced languages compile on first use, or
/// ahead of it with [`warm_up`].
pub fn warm_up_markdown() -> bool {
    ENGINE.get_or_init(load).is_some()
}

/// [`warm_up_markdown`], then the regexes of the languages engagements put in fences (several
/// milliseconds more, once). Returns whether highlighting is available.
pub fn warm_up() -> bool {
    static FENCES: std::sync::Once = std::sync::Once::new();
    let Some(engine) = ENGINE.get_or_init(load).as_ref() else {
        return false;
    };
    FENCES.call_once(|| {
        if let Some(origins) = engine.origins() {
            parse_sample(engine, &origins, FENCES_SAMPLE);
        }
    });
    true
}

thread_local! {
    /// Caches of the buffers drawn on this thread, most recently used last.
    static CACHES: RefCell<Vec<(u64, Cache)>> = const { RefCell::new(Vec::new()) };
}

/// Buffers whose caches are kept per thread.
const CACHES_KEPT: usize = 4;

/// Runs `f` on the cache of buffer `id` (`app::BufferMarks::id`), creating it if needed.
pub fn with_cache<R>(id: u64, f: impl FnOnce(&mut Cache) -> R) -> R {
    CACHES.with(|caches| {
        let mut caches = caches.borrow_mut();
        let entry = match caches.iter().position(|(i, _)| *i == id) {
            Some(at) => caches.remove(at),
            None => (id, Cache::new()),
        };
        caches.push(entry);
        if caches.len() > CACHES_KEPT {
            caches.remove(0);
        }
        let last = caches.len() - 1;
        f(&mut caches[last].1)
    })
}

/// The grammar, once [`warm_up`] has finished; `None` before (draw with [`fallback_runs`]).
pub fn ready() -> Option<&'static Engine> {
    ENGINE.get().and_then(Option::as_ref)
}

/// Adds `start..end` as `paint` after the last run, merging with it when they touch.
fn push_run(runs: &mut Vec<Run>, start: usize, end: usize, paint: Option<Paint>) {
    let Some(paint) = paint else { return };
    if start >= end {
        return;
    }
    if let Some(last) = runs.last_mut()
        && last.paint == paint
        && last.end == start
    {
        last.end = end;
        return;
    }
    runs.push(Run { start, end, paint });
}

/// Paints the ID tokens of `line` over `runs`, except inside code and comments.
fn overlay_ids(line: &str, runs: &mut Vec<Run>) {
    for token in scan_ids(line) {
        let (s, e) = (token.byte_start, token.byte_end);
        let covered = runs
            .iter()
            .any(|r| r.start <= s && s < r.end && matches!(r.paint, Paint::Code | Paint::Comment));
        if covered || s >= e {
            continue;
        }
        let mut out = Vec::with_capacity(runs.len() + 2);
        for r in runs.iter() {
            if r.end <= s || r.start >= e {
                out.push(*r);
                continue;
            }
            if r.start < s {
                out.push(Run { end: s, ..*r });
            }
            if r.end > e {
                out.push(Run { start: e, ..*r });
            }
        }
        let at = out.partition_point(|r| r.start < s);
        out.insert(
            at,
            Run {
                start: s,
                end: e,
                paint: Paint::Id,
            },
        );
        *runs = out;
    }
}

impl Engine {
    fn origins(&self) -> Option<Origins> {
        let syntax = self.syntaxes.syntaxes().get(self.markdown)?;
        let start = HlState {
            parse: ParseState::new(syntax),
            stack: ScopeStack::new(),
        };
        let mut resume = start.clone();
        let ops = resume.parse.parse_line("\n", &self.syntaxes).ok()?;
        for (_, op) in ops {
            resume.stack.apply(&op).ok()?;
        }
        Some(Origins { start, resume })
    }

    /// Parses one line from `state` (left at the next line's start).
    fn parse_line(
        &self,
        origins: &Origins,
        state: &mut HlState,
        line: &str,
        buf: &mut String,
    ) -> Vec<Run> {
        buf.clear();
        buf.push_str(line);
        buf.push('\n');
        let ops = match state.parse.parse_line(buf, &self.syntaxes) {
            Ok(ops) => ops,
            Err(_) => {
                *state = origins.resume.clone();
                return fallback_runs(line);
            }
        };
        let mut runs = Vec::new();
        let mut pos = 0;
        let mut paint = self.rules.paint(&state.stack);
        for (at, op) in ops {
            let at = at.min(line.len());
            if at > pos {
                push_run(&mut runs, pos, at, paint);
                pos = at;
            }
            if state.stack.apply(&op).is_err() {
                *state = origins.resume.clone();
                return fallback_runs(line);
            }
            paint = self.rules.paint(&state.stack);
        }
        push_run(&mut runs, pos, line.len(), paint);
        overlay_ids(line, &mut runs);
        runs
    }

    /// The state after parsing `line` from the top-of-document state.
    fn after_line(&self, origins: &Origins, line: &str) -> HlState {
        let mut state = origins.start.clone();
        let mut buf = String::new();
        let _ = self.parse_line(origins, &mut state, line, &mut buf);
        state
    }

    pub fn syntax_name(&self) -> &str {
        self.syntaxes
            .syntaxes()
            .get(self.markdown)
            .map_or("", |s| s.name.as_str())
    }
}

/// The line-local styler used until the grammar is loaded (and where it fails): headings, HTML
/// comment lines, fence and indented-code lines, list bullets and numbers, quotes, inline code,
/// strong and emphasis, link targets and ID tokens, painted as the grammar paints them on the
/// lines prose is made of (`tests::the_line_styler_agrees_with_the_grammar`). It knows nothing
/// of the lines before: [`Cache::quick_runs`] adds whether it is inside a fence or a comment.
pub fn fallback_runs(line: &str) -> Vec<Run> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let mut paints = Paints::new(line.len());
    let bytes = line.as_bytes();
    if trimmed.starts_with('#') {
        paints.set(0, line.len(), Paint::Heading);
        code_spans(bytes, indent, &mut paints);
    } else if trimmed.starts_with("<!--") || trimmed.starts_with("-->") {
        paints.set(0, line.len(), Paint::Comment);
    } else if trimmed.starts_with("```")
        || trimmed.starts_with("~~~")
        || (indent >= 4 && list_marker(trimmed).is_none())
    {
        paints.set(0, line.len(), Paint::Code);
    } else {
        let mut from = indent;
        if let Some(len) = list_marker(trimmed) {
            paints.set(indent, indent + len, Paint::List);
            from = indent + len;
        } else if trimmed.starts_with('>') {
            paints.set(indent, line.len(), Paint::Emphasis);
        }
        code_spans(bytes, from, &mut paints);
        emphasis(bytes, from, &mut paints);
        links(line, from, &mut paints);
    }
    let mut runs = paints.runs();
    overlay_ids(line, &mut runs);
    runs
}

/// The paint of every byte of a line, the grammar's priorities applied where two overlap.
struct Paints(Vec<Option<Paint>>);

impl Paints {
    fn new(len: usize) -> Paints {
        Paints(vec![None; len])
    }

    /// As [`Rules`] orders them: a code span inside a heading or emphasis is code.
    fn rank(p: Paint) -> u8 {
        match p {
            Paint::Code => 0,
            Paint::Comment => 1,
            Paint::Heading => 2,
            Paint::List => 3,
            Paint::Strong => 4,
            Paint::Emphasis => 5,
            Paint::Link => 6,
            Paint::Id => 7,
        }
    }

    fn set(&mut self, start: usize, end: usize, paint: Paint) {
        let end = end.min(self.0.len());
        for b in self.0.iter_mut().take(end).skip(start) {
            if b.is_none_or(|q| Paints::rank(paint) < Paints::rank(q)) {
                *b = Some(paint);
            }
        }
    }

    fn is_code(&self, at: usize) -> bool {
        self.0.get(at) == Some(&Some(Paint::Code))
    }

    fn runs(&self) -> Vec<Run> {
        let mut runs = Vec::new();
        for (i, p) in self.0.iter().enumerate() {
            push_run(&mut runs, i, i + 1, *p);
        }
        runs
    }
}

/// The length of the list marker (`-`, `*`, `+`, `1.`) `trimmed` starts with, if any (the
/// grammar has no `1)` lists).
fn list_marker(trimmed: &str) -> Option<usize> {
    let b = trimmed.as_bytes();
    if matches!(b.first(), Some(b'-' | b'*' | b'+')) && b.get(1) == Some(&b' ') {
        return Some(1);
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    ((1..=9).contains(&digits) && b.get(digits) == Some(&b'.') && b.get(digits + 1) == Some(&b' '))
        .then_some(digits + 1)
}

/// Inline code spans from byte `from`: a run of backticks up to the next run of as many.
fn code_spans(bytes: &[u8], from: usize, paints: &mut Paints) {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => {
                let n = bytes[i..].iter().take_while(|b| **b == b'`').count();
                match closing_ticks(bytes, i + n, n) {
                    Some(end) => {
                        paints.set(i, end, Paint::Code);
                        i = end;
                    }
                    None => i += n,
                }
            }
            _ => i += 1,
        }
    }
}

/// `**strong**`, `__strong__`, `*emphasis*` and `_emphasis_` outside code spans, delimiters
/// included.
fn emphasis(bytes: &[u8], from: usize, paints: &mut Paints) {
    let word = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric());
    let space = |i: usize| bytes.get(i).is_none_or(|b| b.is_ascii_whitespace());
    let mut i = from;
    while i < bytes.len() {
        let d = bytes[i];
        if (d != b'*' && d != b'_') || paints.is_code(i) || (i > 0 && bytes[i - 1] == b'\\') {
            i += 1;
            continue;
        }
        let n = if bytes.get(i + 1) == Some(&d) { 2 } else { 1 };
        // An opener is followed by text, and `_` does not open inside a word.
        if space(i + n) || bytes.get(i + n) == Some(&d) || (d == b'_' && i > 0 && word(i - 1)) {
            i += n;
            continue;
        }
        let mut j = i + n;
        let mut close = None;
        while j + n <= bytes.len() {
            if paints.is_code(j) {
                j += 1;
                continue;
            }
            let is_delim = bytes[j..j + n].iter().all(|b| *b == d)
                && bytes.get(j + n) != Some(&d)
                && !space(j - 1)
                && bytes[j - 1] != d
                && !(d == b'_' && word(j + n));
            if is_delim {
                close = Some(j + n);
                break;
            }
            j += 1;
        }
        match close {
            Some(end) => {
                let paint = if n == 2 {
                    Paint::Strong
                } else {
                    Paint::Emphasis
                };
                paints.set(i, end, paint);
                i = end;
            }
            None => i += n,
        }
    }
}

/// Link targets: `[text](target)` and `<scheme://target>`, outside code spans.
fn links(line: &str, from: usize, paints: &mut Paints) {
    let bytes = line.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if paints.is_code(i) {
            i += 1;
            continue;
        }
        if bytes[i] == b']' && bytes.get(i + 1) == Some(&b'(') {
            if let Some(len) = bytes[i + 2..].iter().position(|b| *b == b')') {
                let target = &line[i + 2..i + 2 + len];
                let url_end = i + 2 + target.find(' ').unwrap_or(len);
                paints.set(i + 2, url_end, Paint::Link);
                i += 2 + len;
                continue;
            }
        } else if bytes[i] == b'<'
            && let Some(len) = bytes[i + 1..].iter().position(|b| *b == b'>')
        {
            let inner = &line[i + 1..i + 1 + len];
            if inner.contains("://") && !inner.contains(' ') {
                paints.set(i + 1, i + 1 + len, Paint::Link);
                i += 1 + len;
                continue;
            }
        }
        i += 1;
    }
}

/// Where a code span opened by `n` backticks, its text starting at byte `at`, ends (after its
/// closing run of exactly `n` backticks).
fn closing_ticks(bytes: &[u8], at: usize, n: usize) -> Option<usize> {
    let mut i = at;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let m = bytes[i..].iter().take_while(|b| **b == b'`').count();
            if m == n {
                return Some(i + m);
            }
            i += m;
        } else {
            i += 1;
        }
    }
    None
}

/// Where a line starts, as far as sync points care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Plain,
    /// Inside a fenced code block opened on line `opener` with `len` × `marker`.
    Fence {
        opener: usize,
        marker: u8,
        len: usize,
    },
    /// Inside an HTML comment opened on line `opener`.
    Comment {
        opener: usize,
    },
}

fn fence_of(line: &str) -> Option<(u8, usize, &str)> {
    let t = line.trim_start();
    let marker = *t.as_bytes().first()?;
    if marker != b'`' && marker != b'~' {
        return None;
    }
    let len = t.bytes().take_while(|b| *b == marker).count();
    (len >= 3).then(|| (marker, len, t.get(len..).unwrap_or("")))
}

/// The block state at the start of the line after `line` (line number `row`).
fn next_block(block: Block, row: usize, line: &str) -> Block {
    match block {
        Block::Fence { marker, len, .. } => match fence_of(line) {
            Some((m, l, rest)) if m == marker && l >= len && rest.trim().is_empty() => Block::Plain,
            _ => block,
        },
        Block::Comment { .. } => {
            if line.contains("-->") {
                Block::Plain
            } else {
                block
            }
        }
        Block::Plain => {
            if let Some((marker, len, _)) = fence_of(line) {
                return Block::Fence {
                    opener: row,
                    marker,
                    len,
                };
            }
            match line.rfind("<!--") {
                Some(at) if !line.get(at..).is_some_and(|rest| rest.contains("-->")) => {
                    Block::Comment { opener: row }
                }
                _ => Block::Plain,
            }
        }
    }
}

/// One parsed line: valid while its text and start state are the same.
#[derive(Debug, Clone)]
struct Memo {
    text: u64,
    start: HlState,
    /// The `id` of the memo whose end state this line was parsed from (0: none). A walk
    /// through memos that name each other checks each line's start state without comparing
    /// (or copying) parse states.
    after: u64,
    /// Names `end`: another memo's `id` only where their end states are equal.
    id: u64,
    end: HlState,
    runs: Vec<Run>,
}

fn text_hash(line: &str) -> u64 {
    let mut h = super::frame::FrameHasher::new();
    line.hash(&mut h);
    h.finish()
}

/// Where a walk over the lines stands: at a kept state, or after a memo's line.
enum Walk {
    State(HlState),
    /// The memo's `id` and row.
    After(u64, usize),
}

/// The per-buffer highlighting cache. See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Cache {
    /// Exact states: `chain[i]` at the start of line `i * STRIDE` (from the top).
    chain: Vec<HlState>,
    /// States from a sync point: the anchor line, then every `STRIDE` lines after it.
    synced: Option<(usize, Vec<HlState>)>,
    memo: BTreeMap<usize, Memo>,
    /// `blocks[i]`: the block state at the start of line `i` (a valid prefix).
    blocks: Vec<Block>,
    /// The buffer's line count and the address of its line vector when last prepared: a
    /// buffer replaced or resized without an edit report resets the cache. (A replacement
    /// allocates the new vector while the old one is alive, so the address always differs.)
    line_count: usize,
    buffer: usize,
    /// Created from the engine on first use.
    origins: Option<Origins>,
    /// Lines parsed so far (what the memo saved is what this does not count).
    parsed: usize,
    /// The last memo `id` given out.
    last_id: u64,
    buf: String,
    /// How many of the buffer's edits (`app::BufferMarks::seq`) this cache has seen: what the
    /// next frame re-parses from is the first row edited after those.
    pub edits_seen: u64,
}

impl Cache {
    pub fn new() -> Cache {
        Cache::default()
    }

    /// Forgets every state that depends on line `row` or later (an edit there).
    pub fn invalidate_from(&mut self, row: usize) {
        self.chain.truncate(row / STRIDE + 1);
        self.blocks.truncate(row.saturating_add(1));
        if let Some((anchor, states)) = &mut self.synced {
            if *anchor > row {
                self.synced = None;
            } else {
                states.truncate((row - *anchor) / STRIDE + 1);
            }
        }
    }

    fn scan_blocks(&mut self, lines: &[String], upto: usize) {
        if self.blocks.is_empty() {
            self.blocks.push(Block::Plain);
        }
        while self.blocks.len() <= upto {
            let row = self.blocks.len() - 1;
            let (Some(&block), Some(line)) = (self.blocks.last(), lines.get(row)) else {
                break;
            };
            self.blocks.push(next_block(block, row, line));
        }
    }

    /// Where to start parsing to reach line `first`, the state there, and whether it is exact
    /// (on the chain from the top) rather than from a sync point.
    fn start_for(
        &mut self,
        engine: &Engine,
        origins: &Origins,
        lines: &[String],
        first: usize,
    ) -> (usize, HlState, bool) {
        if self.chain.is_empty() {
            self.chain.push(origins.start.clone());
        }
        let i = (first / STRIDE).min(self.chain.len() - 1);
        if first - i * STRIDE <= MAX_CATCHUP
            && let Some(state) = self.chain.get(i)
        {
            return (i * STRIDE, state.clone(), true);
        }
        if let Some((anchor, states)) = &self.synced
            && *anchor <= first
            && !states.is_empty()
        {
            let j = ((first - anchor) / STRIDE).min(states.len() - 1);
            let at = anchor + j * STRIDE;
            if first - at <= MAX_CATCHUP
                && let Some(state) = states.get(j)
            {
                return (at, state.clone(), false);
            }
        }
        let (anchor, state) = self.sync_point(engine, origins, lines, first);
        self.synced = Some((anchor, vec![state.clone()]));
        (anchor, state, false)
    }

    fn sync_point(
        &mut self,
        engine: &Engine,
        origins: &Origins,
        lines: &[String],
        first: usize,
    ) -> (usize, HlState) {
        self.scan_blocks(lines, first);
        let plain = |blocks: &[Block], i: usize| blocks.get(i) == Some(&Block::Plain);
        let lo = first.saturating_sub(SYNC_BACK);
        for s in (lo.max(1)..=first).rev() {
            if plain(&self.blocks, s)
                && plain(&self.blocks, s - 1)
                && lines.get(s - 1).is_some_and(|l| l.trim().is_empty())
            {
                return (s, origins.resume.clone());
            }
        }
        if lo == 0 {
            return (0, origins.start.clone());
        }
        let from = first.saturating_sub(WARMUP);
        match self.blocks.get(first) {
            Some(Block::Fence { opener, .. } | Block::Comment { opener }) => {
                let state = lines
                    .get(*opener)
                    .map_or_else(|| origins.resume.clone(), |l| engine.after_line(origins, l));
                (from.max(opener + 1), state)
            }
            _ => (from, origins.resume.clone()),
        }
    }

    /// Forgets what an edit since the last frame made stale (`edited`: its first row, as
    /// `update` reported it), and everything when the buffer was replaced without one.
    fn take_edits(&mut self, lines: &[String], edited: Option<usize>) {
        let buffer = lines.as_ptr() as usize;
        let moved = lines.len() != self.line_count || buffer != self.buffer;
        match edited {
            Some(row) => {
                // Lines that came or went at the edit move the parsed lines below it: their
                // results move with them (each is still checked against its text and start
                // state), so a newline does not re-parse every visible line below it.
                let delta = lines.len() as i128 - self.line_count as i128;
                if delta != 0 && self.line_count != 0 {
                    let below = self.memo.split_off(&(row + 1));
                    for (at, memo) in below {
                        let moved = at as i128 + delta;
                        if moved > row as i128
                            && let Ok(moved) = usize::try_from(moved)
                        {
                            self.memo.insert(moved, memo);
                        }
                    }
                }
                self.invalidate_from(row);
            }
            // Another buffer, or lines that came or went without an edit report: nothing
            // parsed before is trusted (the memo checks its own lines).
            None if moved => self.invalidate_from(0),
            None => {}
        }
        self.line_count = lines.len();
        self.buffer = buffer;
    }

    /// Before the grammar is loaded: makes [`Cache::quick_runs`] ready for lines `rows` (where
    /// fences and HTML comments open and close, from the top down to them: string tests, no
    /// parsing).
    pub fn prepare_quick(
        &mut self,
        lines: &[String],
        rows: std::ops::Range<usize>,
        edited: Option<usize>,
    ) {
        self.take_edits_and_scan(lines, rows, edited, usize::MAX);
    }

    /// The echo of an edit (`ui::ViewState::paint_edits_after_echo`): forgets what the edit
    /// made stale, as [`Cache::prepare`] would, but parses nothing: the edited lines fail
    /// their memo's text check and are drawn with [`Cache::quick_runs`], for which the fences
    /// and comments down to `rows` are found when that is a short scan (a long one waits for
    /// the grammar's frame, as the parse does).
    pub fn prepare_echo(
        &mut self,
        lines: &[String],
        rows: std::ops::Range<usize>,
        edited: Option<usize>,
    ) {
        self.take_edits_and_scan(lines, rows, edited, ECHO_SCAN);
    }

    /// Forgets what the edits made stale, then finds the fences and comments down to `rows`
    /// if that takes scanning `at_most` lines or fewer.
    fn take_edits_and_scan(
        &mut self,
        lines: &[String],
        rows: std::ops::Range<usize>,
        edited: Option<usize>,
        at_most: usize,
    ) {
        self.take_edits(lines, edited);
        let upto = rows.end.min(lines.len());
        if self.blocks.len().saturating_add(at_most) >= upto {
            self.scan_blocks(lines, upto);
        }
    }

    /// Line `row` (text `line`) styled without the grammar: line-local rules ([`fallback_runs`])
    /// plus the fence or comment it is in, as [`Cache::prepare_quick`] found it. The grammar
    /// paints the same on all but lines continuing a multi-line construct (an inline code span
    /// across lines, a setext heading); its frame, once loaded, changes only those cells.
    pub fn quick_runs(&self, row: usize, line: &str) -> Vec<Run> {
        match self.blocks.get(row) {
            Some(Block::Fence { .. }) => vec![Run {
                start: 0,
                end: line.len(),
                paint: Paint::Code,
            }],
            Some(Block::Comment { .. }) => vec![Run {
                start: 0,
                end: line.len(),
                paint: Paint::Comment,
            }],
            Some(Block::Plain) | None => fallback_runs(line),
        }
    }

    /// Parses what lines `rows` need (at most a few hundred lines; usually none). `edited`:
    /// the first row edited since the last call, as `update` reported it.
    pub fn prepare(
        &mut self,
        engine: &Engine,
        lines: &[String],
        rows: std::ops::Range<usize>,
        edited: Option<usize>,
    ) {
        self.take_edits(lines, edited);
        let last = rows.end.min(lines.len());
        let first = rows.start;
        if first >= last {
            return;
        }
        if self.origins.is_none() {
            self.origins = engine.origins();
        }
        let Some(origins) = self.origins.clone() else {
            return;
        };
        let (mut row, state, exact) = self.start_for(engine, &origins, lines, first);
        let mut at = Walk::State(state);
        while row < last {
            let Some(line) = lines.get(row) else { break };
            let text = text_hash(line);
            at = match self.kept(row, text, &at) {
                Some(id) => Walk::After(id, row),
                None => {
                    let (mut state, after) = match at {
                        Walk::State(state) => (state, 0),
                        Walk::After(id, r) => (self.end_of(r, &origins), id),
                    };
                    let start = state.clone();
                    let runs = engine.parse_line(&origins, &mut state, line, &mut self.buf);
                    self.parsed += 1;
                    // The same end state as before: the lines below that followed it still do.
                    let id = match self.memo.get(&row) {
                        Some(old) if old.end == state => old.id,
                        _ => {
                            self.last_id += 1;
                            self.last_id
                        }
                    };
                    self.memo.insert(
                        row,
                        Memo {
                            text,
                            start,
                            after,
                            id,
                            end: state,
                            runs,
                        },
                    );
                    Walk::After(id, row)
                }
            };
            row += 1;
            if exact {
                if row % STRIDE == 0 && row / STRIDE == self.chain.len() {
                    let state = self.state_at(&at, &origins);
                    self.chain.push(state);
                }
            } else if let Some(anchor) = self.synced.as_ref().map(|(a, _)| *a)
                && row > anchor
                && (row - anchor) % STRIDE == 0
                && self
                    .synced
                    .as_ref()
                    .is_some_and(|(_, states)| (row - anchor) / STRIDE == states.len())
            {
                let state = self.state_at(&at, &origins);
                if let Some((_, states)) = &mut self.synced {
                    states.push(state);
                }
            }
        }
        if self.memo.len() > 4 * MEMO_MARGIN {
            let lo = first.saturating_sub(MEMO_MARGIN);
            let hi = last.saturating_add(MEMO_MARGIN);
            self.memo.retain(|r, _| (lo..hi).contains(r));
        }
    }

    /// The `id` of line `row`'s memo if it holds for text `text` reached by walk `at`: its
    /// start state is where the walk stands (named by a memo `id`, else compared).
    fn kept(&mut self, row: usize, text: u64, at: &Walk) -> Option<u64> {
        let m = self.memo.get(&row).filter(|m| m.text == text)?;
        match at {
            Walk::State(state) => (m.start == *state).then_some(m.id),
            Walk::After(id, _) if m.after == *id => Some(m.id),
            Walk::After(id, r) => {
                // Parsed after another memo with an equal end: it follows this one from now.
                let same = self.memo.get(r).is_some_and(|prev| prev.end == m.start);
                let m = self.memo.get_mut(&row).filter(|_| same)?;
                m.after = *id;
                Some(m.id)
            }
        }
    }

    /// The end state of line `row`'s memo, which the walk just made or kept (the top of the
    /// document, were it gone).
    fn end_of(&self, row: usize, origins: &Origins) -> HlState {
        self.memo
            .get(&row)
            .map_or_else(|| origins.start.clone(), |m| m.end.clone())
    }

    /// The state a walk stands at.
    fn state_at(&self, at: &Walk, origins: &Origins) -> HlState {
        match at {
            Walk::State(state) => state.clone(),
            Walk::After(_, row) => self.end_of(*row, origins),
        }
    }

    /// The runs of line `row`, if it was prepared and its text is still `line`.
    pub fn runs(&self, row: usize, line: &str) -> Option<&[Run]> {
        self.memo
            .get(&row)
            .filter(|m| m.text == text_hash(line))
            .map(|m| m.runs.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> &'static Engine {
        assert!(warm_up(), "the Markdown grammar loads");
        ready().expect("ready after warm_up")
    }

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    fn paints(cache: &Cache, lines: &[String], row: usize) -> Vec<(String, Paint)> {
        let line = &lines[row];
        cache
            .runs(row, line)
            .unwrap_or_default()
            .iter()
            .map(|r| (line[r.start..r.end].to_string(), r.paint))
            .collect()
    }

    #[test]
    fn markdown_scopes_map_to_slots() {
        let e = engine();
        assert_eq!(e.syntax_name(), "Markdown");
        let doc = lines(
            "## Requirements\n\n- REQ-1: *must* tag `vlan` traffic, see **AC-1**\n\n```yaml\nkey: REQ-9 # x\n```\n<!-- guidance REQ-2 -->\n",
        );
        let mut cache = Cache::new();
        cache.prepare(e, &doc, 0..doc.len(), None);
        let heading = paints(&cache, &doc, 0);
        assert!(
            heading.iter().all(|(_, p)| *p == Paint::Heading),
            "{heading:?}"
        );
        let item = paints(&cache, &doc, 2);
        let has = |s: &str, p: Paint| item.iter().any(|(t, q)| t == s && *q == p);
        assert!(has("-", Paint::List), "{item:?}");
        assert!(has("REQ-1", Paint::Id), "{item:?}");
        assert!(has("*must*", Paint::Emphasis), "{item:?}");
        assert!(
            item.iter()
                .any(|(t, p)| t.contains("vlan") && *p == Paint::Code),
            "{item:?}"
        );
        assert!(has("AC-1", Paint::Id), "{item:?}");
        let code = paints(&cache, &doc, 5);
        assert!(
            code.iter().all(|(_, p)| *p == Paint::Code),
            "IDs in code stay code: {code:?}"
        );
        let comment = paints(&cache, &doc, 7);
        assert!(
            comment.iter().all(|(_, p)| *p == Paint::Comment),
            "{comment:?}"
        );
    }

    mod edits {
        use super::*;
        use proptest::prelude::*;

        const LINES: [&str; 12] = [
            "# Heading",
            "text *em* and `code",
            "more` text",
            "```",
            "```yaml",
            "key: v # c",
            "<!-- a comment",
            "end -->",
            "",
            "- item **b**",
            "plain words",
            "Setext",
        ];

        #[derive(Debug, Clone)]
        enum Edit {
            Replace(usize, usize),
            Insert(usize, usize),
            Delete(usize),
        }

        fn edit() -> impl Strategy<Value = Edit> {
            prop_oneof![
                (0usize..110, 0..LINES.len()).prop_map(|(r, l)| Edit::Replace(r, l)),
                (0usize..110, 0..LINES.len()).prop_map(|(r, l)| Edit::Insert(r, l)),
                (0usize..110).prop_map(Edit::Delete),
            ]
        }

        /// Applies `edit` (rows clamped to the text); the first row it changed.
        fn apply(doc: &mut Vec<String>, edit: &Edit) -> usize {
            let last = doc.len().saturating_sub(1);
            match *edit {
                Edit::Replace(r, l) => {
                    let r = r.min(last);
                    doc[r] = LINES[l].to_string();
                    r
                }
                Edit::Insert(r, l) => {
                    let r = r.min(doc.len());
                    doc.insert(r, LINES[l].to_string());
                    r
                }
                Edit::Delete(r) if doc.len() > 1 => {
                    let r = r.min(last);
                    doc.remove(r);
                    r.saturating_sub(1)
                }
                Edit::Delete(_) => 0,
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            /// Whatever was edited between frames, the lines a frame shows are painted as a
            /// parse of the whole text from its top paints them.
            #[test]
            fn kept_lines_paint_as_a_fresh_parse(
                start in proptest::collection::vec(0..LINES.len(), 1..100),
                steps in proptest::collection::vec(
                    (proptest::collection::vec(edit(), 0..3), 0usize..90),
                    1..24,
                ),
            ) {
                let e = engine();
                let mut doc: Vec<String> = start.iter().map(|&l| LINES[l].to_string()).collect();
                let mut cache = Cache::new();
                cache.prepare(e, &doc, 0..40, None);
                for (edits, top) in steps {
                    let edited = edits.iter().map(|edit| apply(&mut doc, edit)).min();
                    let top = top.min(doc.len().saturating_sub(1));
                    let view = top..(top + 40).min(doc.len());
                    cache.prepare(e, &doc, view.clone(), edited);
                    let mut fresh = Cache::new();
                    fresh.prepare(e, &doc, 0..doc.len(), None);
                    for row in view {
                        prop_assert_eq!(
                            cache.runs(row, &doc[row]),
                            fresh.runs(row, &doc[row]),
                            "row {} {:?}", row, &doc[row]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn an_edit_reparses_from_its_row_and_keeps_the_rest() {
        let e = engine();
        let mut doc = lines(&"## S\n\nText line.\n\n".repeat(50));
        let mut cache = Cache::new();
        cache.prepare(e, &doc, 0..40, None);
        // Opening a fence at row 2 turns what follows into code.
        doc[2] = "```".into();
        cache.prepare(e, &doc, 0..40, Some(2));
        assert!(
            paints(&cache, &doc, 4)
                .iter()
                .all(|(_, p)| *p == Paint::Code)
        );
        doc[2] = "Text line.".into();
        cache.prepare(e, &doc, 0..40, Some(2));
        assert_eq!(
            paints(&cache, &doc, 4),
            vec![("## S".to_string(), Paint::Heading)]
        );
    }

    #[test]
    fn an_inserted_line_keeps_the_exact_chain() {
        let e = engine();
        let mut doc = lines(&"## S\n\nText line.\n\n".repeat(500));
        let mut cache = Cache::new();
        for top in (0..=1000).step_by(40) {
            cache.prepare(e, &doc, top..top + 40, None);
        }
        let kept = cache.chain.len();
        assert!(kept > 30, "{kept}");
        // A fence opened by a new line at row 1010, reported as an edit there.
        doc.insert(1010, "```".into());
        cache.prepare(e, &doc, 1000..1040, Some(1010));
        assert!(
            cache.chain.len() >= 1000 / STRIDE,
            "the chain above the edit is kept"
        );
        assert!(cache.synced.is_none(), "no sync point needed");
        assert!(
            paints(&cache, &doc, 1012)
                .iter()
                .all(|(_, p)| *p == Paint::Code)
        );
    }

    #[test]
    fn a_new_line_moves_the_parsed_lines_below_it_instead_of_reparsing_them() {
        let e = engine();
        let mut doc = lines(&"## S\n\nText line.\n\n".repeat(500));
        let mut cache = Cache::new();
        for top in (0..=1000).step_by(40) {
            cache.prepare(e, &doc, top..top + 40, None);
        }
        let exact = |doc: &[String]| {
            let mut fresh = Cache::new();
            fresh.prepare(e, doc, 0..doc.len(), None);
            (1000..1040)
                .map(|row| fresh.runs(row, &doc[row]).map(<[Run]>::to_vec))
                .collect::<Vec<_>>()
        };
        // A blank line typed after a blank line (Enter): only it is parsed.
        doc.insert(1010, String::new());
        let before = cache.parsed;
        cache.prepare(e, &doc, 1000..1040, Some(1010));
        // The new line, and at most the one after it (the grammar's state after two blank
        // lines); not the 29 visible below it.
        assert!(cache.parsed - before <= 2, "{}", cache.parsed - before);
        let shown: Vec<_> = (1000..1040)
            .map(|row| cache.runs(row, &doc[row]).map(<[Run]>::to_vec))
            .collect();
        assert_eq!(shown, exact(&doc));
        // The blank line deleted again (Backspace at its start): the lines below move up.
        doc.remove(1010);
        let before = cache.parsed;
        cache.prepare(e, &doc, 1000..1040, Some(1009));
        assert!(cache.parsed - before <= 2, "{}", cache.parsed - before);
        let shown: Vec<_> = (1000..1040)
            .map(|row| cache.runs(row, &doc[row]).map(<[Run]>::to_vec))
            .collect();
        assert_eq!(shown, exact(&doc));
    }

    #[test]
    fn a_far_jump_syncs_and_matches_the_exact_parse() {
        let e = engine();
        let sample = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sample-engagements/vlan-qos/solution-design.md"
        ))
        .expect("sample");
        let doc: Vec<String> = std::iter::repeat_n(sample.lines(), 40)
            .flatten()
            .map(str::to_string)
            .collect();
        let first = doc.len() - 60;
        let mut jumped = Cache::new();
        jumped.prepare(e, &doc, first..first + 40, None);
        let mut exact = Cache::new();
        for top in (0..=first).step_by(40) {
            exact.prepare(e, &doc, top..top + 40, None);
        }
        exact.prepare(e, &doc, first..first + 40, None);
        for (row, line) in doc.iter().enumerate().skip(first).take(40) {
            assert_eq!(
                jumped.runs(row, line),
                exact.runs(row, line),
                "row {row}: {line:?}"
            );
        }
    }

    #[test]
    fn fallback_styles_lines_alone() {
        let runs = fallback_runs("- REQ-1: x");
        assert_eq!(runs[0].paint, Paint::List);
        assert!(
            runs.iter()
                .any(|r| r.paint == Paint::Id && r.start == 2 && r.end == 7)
        );
        assert_eq!(fallback_runs("# T")[0].paint, Paint::Heading);
    }

    #[test]
    fn blocks_track_fences_and_comments() {
        let doc = lines("a\n```\nb\n\n```\n<!-- x\n\ny -->\nz\n");
        let mut cache = Cache::new();
        cache.scan_blocks(&doc, doc.len() - 1);
        let kinds: Vec<char> = cache
            .blocks
            .iter()
            .map(|b| match b {
                Block::Plain => 'p',
                Block::Fence { .. } => 'f',
                Block::Comment { .. } => 'c',
            })
            .collect();
        assert_eq!(kinds.iter().collect::<String>(), "ppfffpccp");
    }

    /// Per byte, the paint `runs` give it (runs split differently but painting the same bytes
    /// draw the same cells).
    fn paint_bytes(line: &str, runs: &[Run]) -> Vec<Option<Paint>> {
        let mut out = vec![None; line.len()];
        for r in runs {
            for b in out.iter_mut().take(r.end).skip(r.start) {
                *b = Some(r.paint);
            }
        }
        out
    }

    /// The lines of `text` where the line styler paints other than the grammar.
    fn styler_disagreements(text: &str) -> Vec<String> {
        let e = engine();
        let doc = lines(text);
        let mut grammar = Cache::new();
        grammar.prepare(e, &doc, 0..doc.len(), None);
        let mut quick = Cache::new();
        quick.prepare_quick(&doc, 0..doc.len(), None);
        doc.iter()
            .enumerate()
            .filter(|(row, line)| {
                let want = grammar.runs(*row, line).unwrap_or_default();
                paint_bytes(line, want) != paint_bytes(line, &quick.quick_runs(*row, line))
            })
            .map(|(_, line)| line.clone())
            .collect()
    }

    #[test]
    fn the_line_styler_agrees_with_the_grammar() {
        // Every artifact of the samples and the templates `new` writes: what the first frame
        // shows before the grammar has loaded is what it shows after.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![
            root.join("sample-engagements"),
            root.join("src/store/templates"),
        ];
        let mut files = 0;
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|x| x != "md") {
                    continue;
                }
                files += 1;
                let text = std::fs::read_to_string(&path).expect("read");
                let differ = styler_disagreements(&text);
                // The one exception: the grammar takes an HTML comment right under a heading
                // that follows a list for paragraph text (the Deviations guidance comment of
                // the as-built); the grammar's frame repaints it once loaded.
                assert!(
                    differ
                        .iter()
                        .all(|l| l.starts_with("<!-- One list item per difference")),
                    "{}: {differ:#?}",
                    path.display()
                );
            }
        }
        assert!(files > 20, "{files}");
        // The inline rules, one per line.
        let rules = "# Title with `code`\n\nSome *emphasis* and **bold** and _under_ and \
            __dunder__, snake_case_words and 2 * 3 * 4.\nA [link](https://example.com \"t\") \
            and <https://auto.example> here.\n\n> a quote with `code` and **bold**\n\n\
            1. numbered *item*\n2) other\n   continued\n\n- bullet with **bold REQ-1**\n  \
            * nested star\n    + nested plus\n\n| `x` | *y* | AC-2 |\n|---|---|---|\n\n\
            Text with ``double `tick` code`` and \\*escaped\\* end.\n\n    indented code\n\n\
            ```yaml\nkey: REQ-9 # x\n```\n\n<!-- multi\nline REQ-3 comment -->\nafter\n";
        assert_eq!(styler_disagreements(rules), Vec::<String>::new());
    }
}
