//! What the TUI shows about who would sign an approval (the confirmation dialog). Which journal
//! events verified is the view's to remember (`ui::journal::SignatureMemo`, in `ui::ViewState`).

pub use crate::store::sign::SignerLabel;
