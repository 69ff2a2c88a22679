//! The recovery list: unsaved text found in `.phasegate/recovery/` (a crashed or killed session,
//! or a buffer set aside by "take disk"), each offered for compare, restore or discard. The
//! selected file is compared with the disk below the list.

use super::frame::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::Hints;
use super::live::{choices, hunk_label, render_side_by_side};
use super::{Slot, Theme, pane_block, slot, truncate};
use crate::app::model::live::{Live, LiveView, modified_label, shown_path};
use crate::app::{Command, State};
use crate::store::recovery::RecoveryKind;

/// The status bar's hints in the recovery list.
pub const RECOVERY_HINTS: Hints = Hints::commands(&[
    Command::RestoreRecovery,
    Command::CompareRecovery,
    Command::DiscardRecovery,
    Command::MoveDown,
    Command::Leave,
]);

pub fn render(state: &State, live: &Live, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(LiveView::Recovery {
        selected,
        compare,
        scroll,
        confirm_discard,
    }) = &live.view
    else {
        return;
    };
    frame.render_widget(Clear, area);
    let title = Line::styled(
        " Recovery: unsaved text from earlier sessions ",
        slot(theme, Slot::UiBannerWarning).add_modifier(Modifier::BOLD),
    );
    let block = pane_block(theme, title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width < 4 || inner.height < 2 {
        return;
    }
    let Some(root) = live.root.as_deref() else {
        return;
    };
    let list_h = u16::try_from((live.offered.len() + live.held.len()).max(1))
        .unwrap_or(u16::MAX)
        .min(inner.height / 3)
        .max(1);
    let [list, footer, body] = Layout::vertical([
        Constraint::Length(list_h),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    let width = usize::from(list.width);
    let first = selected.saturating_sub(usize::from(list_h).saturating_sub(1));
    let mut lines = Vec::new();
    for (i, o) in live
        .offered
        .iter()
        .enumerate()
        .skip(first)
        .take(usize::from(list_h))
    {
        let kind = match o.file.kind {
            RecoveryKind::Autosave => "unsaved buffer",
            RecoveryKind::Displaced => "set aside (took disk)",
            RecoveryKind::Replaced => "disk version (kept mine)",
        };
        let text = format!(
            "{} {:<20} {:<22} {}  +{} -{} vs disk  {}",
            if i == *selected { ">" } else { " " },
            o.file.artifact.file_name(),
            kind,
            modified_label(&o.file),
            o.added,
            o.removed,
            shown_path(root, &o.file.path),
        );
        let style = if i == *selected {
            slot(theme, Slot::UiSelection)
        } else {
            slot(theme, Slot::UiText)
        };
        lines.push(Line::styled(truncate(&text, width), style));
    }
    // Other instances' live buffers: named, never selectable.
    let room = usize::from(list_h).saturating_sub(lines.len());
    for f in live.held.iter().take(room) {
        let who = f.holder.as_ref().map_or_else(String::new, |o| o.describe());
        let text = format!(
            "  {:<20} being edited by {who}: not offered here",
            f.artifact.file_name()
        );
        lines.push(Line::styled(
            truncate(&text, width),
            slot(theme, Slot::UiTextDim),
        ));
    }
    if live.offered.is_empty() && live.held.is_empty() {
        lines.push(Line::styled(
            "no recovery files",
            slot(theme, Slot::UiTextDim),
        ));
    }
    frame.render_widget(Paragraph::new(lines), list);
    let footer_line = if *confirm_discard {
        Line::styled(
            format!(
                " press {} to delete the selected file for good; any other key keeps it",
                super::live::key(state, Command::Confirm)
            ),
            slot(theme, Slot::UiBannerError),
        )
    } else {
        choices(
            state,
            theme,
            &[
                (Command::RestoreRecovery, "restore into the editor"),
                (Command::CompareRecovery, "compare with disk"),
                (Command::DiscardRecovery, "discard"),
                (Command::Leave, "later"),
            ],
        )
    };
    frame.render_widget(Paragraph::new(footer_line), footer);
    if let (Some(rows), Some(o)) = (compare, live.offered.get(*selected)) {
        let left = format!(
            " recovered: {} ({})",
            o.file.name,
            hunk_label(rows, *scroll)
        );
        let right = format!(" disk: {}", o.file.artifact.file_name());
        render_side_by_side(
            rows,
            (*scroll, live.hscroll),
            (&left, &right),
            state.ascii,
            theme,
            frame,
            body,
        );
    }
}
