//! `phasegate diff`: the approved design against the as-built, computed by the same code as the
//! diff pane and reconciliation. Long lines wrap with a marker; nothing is truncated.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use unicode_width::UnicodeWidthChar;

use super::{Exit, Invocation, say_err};
use crate::domain::artifact::Artifact;
use crate::domain::controls::push_shown;
use crate::domain::evaluate::{approved_design_text, evaluate};
use crate::domain::reconcile::{Hunk, Reconciliation, Side};
use crate::domain::sidebyside::{
    CONTEXT_LINES, Cell, Comparison, RowKind, Segment, SideBySide, compare,
};

#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
    /// Two columns, changed lines side by side (the default)
    #[arg(long, conflicts_with = "unified")]
    pub side_by_side: bool,
    /// One column, `-`/`+` lines
    #[arg(long)]
    pub unified: bool,
    /// Total width in columns (default: the terminal's, else 120)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(40..))]
    pub width: Option<u16>,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Exit 1 when a hunk is unexplained
    #[arg(long)]
    pub exit_code: bool,
}

struct Style {
    color: bool,
    wrap_marker: &'static str,
    separator: &'static str,
    fold: &'static str,
}

impl Style {
    fn paint(&self, out: &mut String, text: &str, sgr: &str) {
        if self.color && !sgr.is_empty() && !text.is_empty() {
            let _ = write!(out, "\x1b[{sgr}m{text}\x1b[0m");
        } else {
            out.push_str(text);
        }
    }
}

/// Splits segments into chunks of at most `width` display columns. Control characters come
/// out escaped (`\x1b`, see `domain::controls`): a line of the as-built must not drive the
/// terminal, and the escape counts for its width.
fn wrap(segments: &[Segment], width: usize) -> Vec<Vec<Segment>> {
    let width = width.max(1);
    let mut lines: Vec<Vec<Segment>> = vec![Vec::new()];
    let mut used = 0;
    let mut shown = String::new();
    for seg in segments {
        for c in seg.text.chars() {
            let c = if c == '\t' { ' ' } else { c };
            shown.clear();
            push_shown(&mut shown, c);
            let w: usize = shown.chars().map(|s| s.width().unwrap_or(0)).sum();
            if used + w > width && used > 0 {
                lines.push(Vec::new());
                used = 0;
            }
            if let Some(line) = lines.last_mut() {
                match line.last_mut() {
                    Some(last) if last.emphasized == seg.emphasized => last.text.push_str(&shown),
                    _ => line.push(Segment {
                        text: shown.clone(),
                        emphasized: seg.emphasized,
                    }),
                }
            }
            used += w;
        }
    }
    lines
}

fn display_width(segments: &[Segment]) -> usize {
    segments
        .iter()
        .flat_map(|s| s.text.chars())
        .map(|c| c.width().unwrap_or(0))
        .sum()
}

fn hunk_header(
    h: &Hunk,
    index: usize,
    total: usize,
    design: &Side,
    as_built: &Side,
) -> (String, bool) {
    let design_line = design
        .governed
        .source_lines
        .get(h.design_lines.start)
        .map_or(0, |l| l + 1);
    let as_built_line = as_built
        .governed
        .source_lines
        .get(h.as_built_lines.start)
        .map_or(0, |l| l + 1);
    let mut touched: Vec<String> = h.components.iter().map(ToString::to_string).collect();
    if h.outside {
        touched.push("outside components".into());
    }
    let verdict = h.verdict();
    (
        format!(
            "hunk {}/{} · solution-design.md:{} → as-built.md:{} · {} · {}",
            index + 1,
            total,
            design_line,
            as_built_line,
            touched.join(", "),
            verdict
        ),
        h.is_explained(),
    )
}

fn render_side_by_side(
    sbs: &SideBySide,
    rec: &Reconciliation,
    design: &Side,
    as_built: &Side,
    width: usize,
    style: &Style,
) -> String {
    let mut out = String::new();
    // gutter: "NNNN m " on each side, " │ " between.
    let text_w = width.saturating_sub(2 * 7 + 3) / 2;
    let show = sbs.fold_mask(CONTEXT_LINES);
    let mut row = 0;
    while row < sbs.rows.len() {
        if !show[row] {
            let start = row;
            while row < sbs.rows.len() && !show[row] {
                row += 1;
            }
            let _ = writeln!(
                out,
                "{} {} unchanged lines {}",
                style.fold,
                row - start,
                style.fold
            );
            continue;
        }
        if let Some((index, h)) = sbs
            .hunks
            .iter()
            .position(|h| h.start == row)
            .and_then(|i| rec.hunks.get(i).map(|h| (i, h)))
        {
            let (header, explained) = hunk_header(h, index, rec.hunks.len(), design, as_built);
            style.paint(
                &mut out,
                &header,
                if explained { "1;36" } else { "1;33;41" },
            );
            out.push('\n');
        }
        let r = &sbs.rows[row];
        let (lsgr, rsgr, lmark, rmark) = match r.kind {
            RowKind::Equal => ("", "", ' ', ' '),
            RowKind::Changed => ("31", "32", '~', '~'),
            RowKind::Deleted => ("31", "", '-', ' '),
            RowKind::Inserted => ("", "32", ' ', '+'),
        };
        let number = |c: &Option<Cell>, side: &Side| {
            c.as_ref()
                .and_then(|c| side.governed.source_lines.get(c.line))
                .map(|l| l + 1)
        };
        let lnum = number(&r.left, design);
        let rnum = number(&r.right, as_built);
        let lwrap = r
            .left
            .as_ref()
            .map(|c| wrap(&c.segments, text_w))
            .unwrap_or_else(|| vec![Vec::new()]);
        let rwrap = r
            .right
            .as_ref()
            .map(|c| wrap(&c.segments, text_w))
            .unwrap_or_else(|| vec![Vec::new()]);
        for k in 0..lwrap.len().max(rwrap.len()) {
            let gutter = |num: Option<usize>, mark: char, present: bool| -> String {
                match (k, num) {
                    (0, Some(n)) => format!("{n:>4} {mark} "),
                    (_, Some(_)) if present => format!("     {} ", style.wrap_marker),
                    _ => "       ".to_string(),
                }
            };
            let left = lwrap.get(k);
            let right = rwrap.get(k);
            out.push_str(&gutter(lnum, lmark, left.is_some()));
            let mut used = 0;
            if let Some(segs) = left {
                for s in segs {
                    let sgr = if s.emphasized {
                        format!("{lsgr};1;7")
                    } else {
                        lsgr.to_string()
                    };
                    style.paint(&mut out, &s.text, &sgr);
                }
                used = display_width(segs);
            }
            out.push_str(&" ".repeat(text_w.saturating_sub(used)));
            out.push_str(style.separator);
            out.push_str(&gutter(rnum, rmark, right.is_some()));
            if let Some(segs) = right {
                for s in segs {
                    let sgr = if s.emphasized {
                        format!("{rsgr};1;7")
                    } else {
                        rsgr.to_string()
                    };
                    style.paint(&mut out, &s.text, &sgr);
                }
            }
            let trimmed = out.trim_end_matches(' ').len();
            out.truncate(trimmed);
            out.push('\n');
        }
        row += 1;
    }
    out
}

fn render_unified(
    sbs: &SideBySide,
    rec: &Reconciliation,
    design: &Side,
    as_built: &Side,
    width: usize,
    style: &Style,
) -> String {
    let mut out = String::new();
    let text_w = width.saturating_sub(2);
    for (index, rows) in sbs.hunks.iter().enumerate() {
        if let Some(h) = rec.hunks.get(index) {
            let (header, explained) = hunk_header(h, index, rec.hunks.len(), design, as_built);
            style.paint(
                &mut out,
                &format!("@@ {header}"),
                if explained { "1;36" } else { "1;33;41" },
            );
            out.push('\n');
        }
        let rows = &sbs.rows[rows.clone()];
        let mut emit = |cell: &Cell, sign: char, sgr: &str| {
            for (k, line) in wrap(&cell.segments, text_w).iter().enumerate() {
                let lead = if k == 0 {
                    format!("{sign} ")
                } else {
                    format!("{} ", style.wrap_marker)
                };
                style.paint(&mut out, &lead, sgr);
                for s in line {
                    let s_sgr = if s.emphasized {
                        format!("{sgr};1;7")
                    } else {
                        sgr.to_string()
                    };
                    style.paint(&mut out, &s.text, &s_sgr);
                }
                out.push('\n');
            }
        };
        for r in rows {
            if let Some(c) = &r.left {
                emit(c, '-', "31");
            }
        }
        for r in rows {
            if let Some(c) = &r.right {
                emit(c, '+', "32");
            }
        }
    }
    out
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let loaded = match ctx.load(args.engagement.as_deref()) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let e = &loaded.engagement;
    let ev = evaluate(e);
    let approved = approved_design_text(e, &ev);
    let (Some(design_text), Some(as_built_text)) = (approved, e.texts.get(&Artifact::AsBuilt))
    else {
        say_err(&format!(
            "refused: there is no approved design to compare yet (the diff exists from Gate 2 on; the engagement is in {})\n",
            ev.phase.title()
        ));
        return Exit::Refused;
    };
    // Sides, hunks and rows from one line diff: the computation the diff pane shows.
    let Comparison {
        design,
        as_built,
        reconciliation,
        rows: sbs,
    } = compare(design_text, as_built_text, &ev.deviations);
    let rec = &reconciliation;
    let stdout = std::io::stdout();
    let env = |k: &str| std::env::var(k).ok();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout.is_terminal() && env("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let utf8 = crate::config::utf8_locale(&env);
    let style = Style {
        color,
        wrap_marker: if utf8 { "↪" } else { ">" },
        separator: if utf8 { " │ " } else { " | " },
        fold: if utf8 { "⋯" } else { "..." },
    };
    let width = args
        .width
        .map(usize::from)
        .or_else(|| {
            stdout
                .is_terminal()
                .then(|| {
                    crossterm::terminal::size()
                        .ok()
                        .map(|(w, _)| usize::from(w))
                })
                .flatten()
        })
        .unwrap_or(120);
    let mut text = format!(
        "approved design (Gate 2, event {}) ⟷ as-built: {} hunk(s), {} explained\n",
        ev.gates[1].approval.as_ref().map_or(0, |a| a.seq),
        rec.hunks.len(),
        rec.explained()
    );
    if !utf8 {
        text = text.replace('⟷', "<->");
    }
    text.push_str(&if args.unified {
        render_unified(&sbs, rec, &design, &as_built, width, &style)
    } else {
        render_side_by_side(&sbs, rec, &design, &as_built, width, &style)
    });
    let _ = stdout.lock().write_all(text.as_bytes());
    if args.exit_code && rec.explained() < rec.hunks.len() {
        Exit::Refused
    } else {
        Exit::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_never_loses_text() {
        let segs = vec![
            Segment {
                text: "abcdef".into(),
                emphasized: false,
            },
            Segment {
                text: "ghij界".into(),
                emphasized: true,
            },
        ];
        let lines = wrap(&segs, 4);
        let joined: String = lines.iter().flatten().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, "abcdefghij界");
        assert!(lines.iter().all(|l| display_width(l) <= 4));
    }
}
