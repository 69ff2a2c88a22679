//! The one list of named key commands.
//!
//! Every command a key can trigger has a name (`save`, `approve_gate`, `next_hunk`…), a one-line
//! doc, a short label and the contexts where it does something. Keymap files bind keys to these
//! names; the help overlay and the status-bar hints are generated from this list and the active
//! keymap. Which commands a pane hints at it declares itself, beside its drawing code
//! (`ui::Hints`); a unit test checks that each of them has a key in that pane's context.

use std::fmt;
use std::str::FromStr;

/// Where a key is pressed. Each keymap file has one table per context; a key not bound in the
/// specific context falls back to `global` (see [`crate::config::keymap::Keymap::lookup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Anywhere; the fallback for every other context.
    Global,
    /// The list of engagements and artifacts.
    Workspace,
    /// An artifact shown read-only.
    View,
    /// An artifact being edited. Plain characters insert text here, so only keys with Ctrl or Alt,
    /// function keys and named keys (Esc, Enter, arrows…) can be bound, and only Ctrl/Alt chords,
    /// function keys and Esc fall back to `global`.
    Edit,
    /// The gate review: criteria, approve, reject.
    Gate,
    /// The build board: components by build order, their status and files.
    Build,
    /// The design-vs-as-built diff.
    Diff,
    /// A dialog or overlay on top of the panes (help, confirmations, forms).
    Overlay,
}

impl Context {
    /// Every context, in the order help text lists them.
    pub const ALL: [Context; 8] = [
        Context::Global,
        Context::Workspace,
        Context::View,
        Context::Edit,
        Context::Gate,
        Context::Build,
        Context::Diff,
        Context::Overlay,
    ];

    /// The name used as a table name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Workspace => "workspace",
            Context::View => "view",
            Context::Edit => "edit",
            Context::Gate => "gate",
            Context::Build => "build",
            Context::Diff => "diff",
            Context::Overlay => "overlay",
        }
    }

    /// A one-line description, for help text.
    pub fn doc(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Workspace => "Workspace list",
            Context::View => "Viewing an artifact",
            Context::Edit => "Editing an artifact",
            Context::Gate => "Gate review",
            Context::Build => "Build board",
            Context::Diff => "Design vs as-built diff",
            Context::Overlay => "Dialogs and overlays",
        }
    }

    /// True where unbound keys are text input (plain characters must insert text).
    pub fn is_text_input(self) -> bool {
        self == Context::Edit
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of [`Context::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownContext(pub String);

impl fmt::Display for UnknownContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
        write!(
            f,
            "unknown context [{}]; contexts are {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownContext {}

impl FromStr for Context {
    type Err = UnknownContext;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Context::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| UnknownContext(s.to_string()))
    }
}

/// One row of the command list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandInfo {
    pub command: Command,
    pub name: &'static str,
    /// The status bar's label (a word or two).
    pub short: &'static str,
    pub doc: &'static str,
    /// Where the command does something. `Global` means "anywhere".
    pub contexts: &'static [Context],
}

macro_rules! commands {
    ($( $variant:ident => $name:literal, $short:literal, $doc:literal, [$($ctx:ident),+]; )+) => {
        /// A named key command. See [`COMMANDS`] for names and docs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Command {
            $( #[doc = $doc] $variant, )+
        }

        /// Every command with its name, one-line doc and contexts, in help order.
        pub static COMMANDS: &[CommandInfo] = &[
            $( CommandInfo {
                command: Command::$variant,
                name: $name,
                short: $short,
                doc: $doc,
                contexts: &[$(Context::$ctx),+],
            }, )+
        ];

        impl Command {
            /// The name keymap files use.
            pub fn name(self) -> &'static str {
                match self { $( Command::$variant => $name, )+ }
            }
            /// The word or two the status bar's hints show.
            pub fn short(self) -> &'static str {
                match self { $( Command::$variant => $short, )+ }
            }
            /// The one-line doc shown in help.
            pub fn doc(self) -> &'static str {
                match self { $( Command::$variant => $doc, )+ }
            }
            /// Where the command does something; `Global` means anywhere.
            pub fn contexts(self) -> &'static [Context] {
                match self { $( Command::$variant => &[$(Context::$ctx),+], )+ }
            }
        }
    };
}

commands! {
    NextPane => "next_pane", "pane", "Focus the next pane", [Global];
    PrevPane => "prev_pane", "prev_pane", "Focus the previous pane", [Global];
    ZoomPane => "zoom_pane", "zoom", "Toggle the focused pane full width", [Global];
    ShowPhase1 => "show_phase_1", "show_phase_1", "Show phase 1: Requirements (customer-spec.md)", [Global];
    ShowPhase2 => "show_phase_2", "show_phase_2", "Show phase 2: Feasibility (feasibility.md)", [Global];
    ShowPhase3 => "show_phase_3", "show_phase_3", "Show phase 3: Design (solution-design.md)", [Global];
    ShowPhase4 => "show_phase_4", "show_phase_4", "Show phase 4: Build (build/)", [Global];
    ShowPhase5 => "show_phase_5", "show_phase_5", "Show phase 5: As-Built (as-built.md)", [Global];
    Edit => "edit", "edit", "Edit the shown artifact", [Global];
    Leave => "leave", "leave", "Leave edit mode / close overlay / clear search", [Global];
    Save => "save", "save", "Save the artifact being edited", [Global];
    ExternalEditor => "external_editor", "external_editor", "Open the shown artifact in $VISUAL/$EDITOR", [Global];
    ReviewGate => "review_gate", "gate", "Review the gate ahead", [Global];
    ShowDiff => "show_diff", "diff", "Show the design-vs-as-built diff", [Global];
    RecordDeviation => "record_deviation", "deviation", "Record a deviation", [Global];
    MoveDown => "move_down", "down", "Move down", [Global];
    MoveUp => "move_up", "up", "Move up", [Global];
    MoveLeft => "move_left", "move_left", "Move left", [Global];
    MoveRight => "move_right", "move_right", "Move right", [Global];
    PageDown => "page_down", "page_down", "Scroll down a page", [Global];
    PageUp => "page_up", "page_up", "Scroll up a page", [Global];
    Top => "top", "top", "Go to the top", [Global];
    Bottom => "bottom", "bottom", "Go to the bottom", [Global];
    Search => "search", "search", "Search", [Global];
    SearchNext => "search_next", "search_next", "Next search match", [Global];
    SearchPrev => "search_prev", "search_prev", "Previous search match", [Global];
    Help => "help", "help", "Show the keys and what they do", [Global];
    Quit => "quit", "quit", "Quit (asks if unsaved)", [Global];
    ForceQuit => "force_quit", "quit", "Quit from any mode (asks if unsaved)", [Global];
    Suspend => "suspend", "suspend", "Suspend to the shell; fg brings phasegate back", [Global];
    Journal => "journal", "journal", "Show the engagement's journal", [Global];
    CommandLine => "command_line", "command_line", "Run a command by name (:w, :q, :42, :messages, :reopen_gate)", [Global];
    Messages => "messages", "messages", "Show the message log (notices and refusals in full)", [Global];
    FeasibilityComplete => "feasibility_complete", "feasibility done", "Record feasibility complete (every REQ assessed): on to Design", [Global];
    ReopenGate => "reopen_gate", "reopen", "Reopen an approved gate (asks why; voids later decisions)", [Global];
    NewEngagement => "new_engagement", "new", "Create an engagement (slug, title, owner)", [Workspace];
    Open => "open", "open", "Open the selected item (a journal event: in full)", [Workspace, View, Gate, Diff];
    Filter => "filter", "filter", "Filter the list", [Workspace];
    ToggleCriterion => "toggle_criterion", "tick", "Tick or untick the selected manual criterion", [Gate];
    WaiveCriterion => "waive_criterion", "waive", "Waive the selected criterion (asks for a reason)", [Gate];
    ApproveGate => "approve_gate", "approve", "Approve the gate", [Gate];
    RejectGate => "reject_gate", "reject", "Reject the gate (asks for a reason)", [Gate];
    AddNote => "add_note", "note", "Add a note to the gate decision being confirmed", [Overlay];
    NextHunk => "next_hunk", "next hunk", "Go to the next diff hunk", [Diff, Overlay];
    PrevHunk => "prev_hunk", "prev hunk", "Go to the previous diff hunk", [Diff, Overlay];
    Undo => "undo", "undo", "Undo the last edit (a word or an insert run)", [Edit, View];
    Redo => "redo", "redo", "Redo the last undone edit", [Edit, View];
    Confirm => "confirm", "confirm", "Confirm (y; Enter never confirms a journal event or a discard)", [Overlay];
    Cancel => "cancel", "cancel", "Cancel", [Overlay];
    MarkBuilt => "mark_built", "built", "Mark the selected component built (its dependencies first)", [Build];
    MarkValidated => "mark_validated", "validated", "Mark the selected component validated (once built)", [Build];
    CompleteBuild => "complete_build", "complete", "Complete the build once every component is validated", [Build];
    AmendSpec => "amend_spec", "amend", "Append a spec amendment for a scope-change deviation", [Build, Diff];
    CloseEngagement => "close_engagement", "close", "Close the engagement (offered when every condition holds)", [Build, Diff];
    RestoreApproved => "restore_approved", "restore approved", "Restore the approved text of a stale gate's artifacts (ungoverned sections kept)", [Gate];
    ToggleFolds => "toggle_folds", "folds", "Fold or unfold the unchanged lines of the diff", [Diff];
    ShowConflict => "show_conflict", "conflict", "Compare your unsaved buffer with the changed file on disk", [Global];
    KeepMine => "keep_mine", "keep mine", "Conflict: save your buffer over the disk version shown", [Overlay];
    TakeDisk => "take_disk", "take disk", "Conflict: take the disk version (your text is kept as a recovery file)", [Overlay];
    MergeEdit => "merge_edit", "merge", "Conflict: merge by editing your buffer", [Overlay];
    MarkResolved => "mark_resolved", "resolved", "Conflict: mark the merge resolved, so saving is allowed", [Overlay];
    ShowRecovery => "show_recovery", "recovery", "List recovery files (unsaved text from earlier sessions)", [Global];
    CompareRecovery => "compare_recovery", "compare", "Recovery: compare the selected file with the disk", [Overlay];
    RestoreRecovery => "restore_recovery", "restore", "Recovery: restore the selected file into the editor", [Overlay];
    DiscardRecovery => "discard_recovery", "discard", "Recovery: delete the selected file (asks; y deletes)", [Overlay];
    ShowCatalog => "show_catalog", "catalog", "Show the reuse catalog: components of closed engagements, type to filter", [Global];
    BaselineDiff => "baseline_diff", "baseline_diff", "Compare the shown spec or design with the Day-2 baseline's", [Global];
    InsertReuse => "insert_reuse", "insert reuse", "Catalog: insert `- reuse: catalog SLUG/COMP-n@VERSION` into the design", [Overlay];
    ShowMetrics => "show_metrics", "show_metrics", "Show the workspace metrics: trends per month and each engagement's figures", [Global];
}

impl Command {
    /// The full row of [`COMMANDS`] for this command.
    pub fn info(self) -> &'static CommandInfo {
        // The macro builds COMMANDS in declaration order, so the discriminant is the index.
        &COMMANDS[self as usize]
    }

    /// True if the command may be bound in `context`: global commands anywhere, the others only
    /// in the contexts they list.
    pub fn applies_in(self, context: Context) -> bool {
        let contexts = self.contexts();
        contexts.contains(&Context::Global) || contexts.contains(&context)
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not in [`COMMANDS`]; carries a close match when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCommand {
    pub name: String,
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for UnknownCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown command \"{}\"", self.name)?;
        if let Some(s) = self.suggestion {
            write!(f, " (did you mean \"{s}\"?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownCommand {}

impl FromStr for Command {
    type Err = UnknownCommand;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        COMMANDS
            .iter()
            .find(|info| info.name == s)
            .map(|info| info.command)
            .ok_or_else(|| UnknownCommand {
                name: s.to_string(),
                suggestion: super::closest(s, COMMANDS.iter().map(|info| info.name)),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_enum_order_and_names_are_unique() {
        for (i, info) in COMMANDS.iter().enumerate() {
            assert_eq!(info.command as usize, i, "{}", info.name);
            assert_eq!(info.command.name(), info.name);
            assert_eq!(info.command.doc(), info.doc);
            assert_eq!(info.command.info(), info);
            assert!(!info.doc.is_empty() && !info.doc.contains('\n'));
        }
        let mut names: Vec<&str> = COMMANDS.iter().map(|i| i.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
    }

    #[test]
    fn names_round_trip() {
        for info in COMMANDS {
            assert_eq!(info.name.parse::<Command>(), Ok(info.command));
            assert_eq!(info.command.to_string(), info.name);
        }
        for c in Context::ALL {
            assert_eq!(c.name().parse::<Context>(), Ok(c));
        }
    }

    #[test]
    fn unknown_names_suggest_a_close_match() {
        let err = "sav".parse::<Command>().unwrap_err();
        assert_eq!(err.suggestion, Some("save"));
        assert_eq!(
            err.to_string(),
            "unknown command \"sav\" (did you mean \"save\"?)"
        );
        let err = "frobnicate".parse::<Command>().unwrap_err();
        assert_eq!(err.suggestion, None);
        assert!("Global".parse::<Context>().is_err());
    }

    #[test]
    fn brief_commands_exist() {
        for name in [
            "next_pane",
            "prev_pane",
            "show_phase_1",
            "show_phase_5",
            "edit",
            "leave",
            "save",
            "external_editor",
            "review_gate",
            "show_diff",
            "record_deviation",
            "move_down",
            "move_up",
            "move_left",
            "move_right",
            "page_down",
            "page_up",
            "top",
            "bottom",
            "search",
            "search_next",
            "search_prev",
            "help",
            "quit",
            "force_quit",
            "toggle_criterion",
            "waive_criterion",
            "approve_gate",
            "reject_gate",
            "confirm",
            "cancel",
            "undo",
            "redo",
            "journal",
            "open",
            "next_hunk",
            "prev_hunk",
            "filter",
        ] {
            assert!(name.parse::<Command>().is_ok(), "{name}");
        }
    }

    #[test]
    fn applies_in() {
        assert!(Command::Save.applies_in(Context::Gate));
        assert!(Command::ApproveGate.applies_in(Context::Gate));
        assert!(!Command::ApproveGate.applies_in(Context::Global));
        assert!(Command::Undo.applies_in(Context::View));
        assert!(!Command::Undo.applies_in(Context::Gate));
    }
}
