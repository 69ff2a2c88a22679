//! The attacker's tool: rewrite `.phasegate/journal.toml` as text, then renumber every `seq`
//! and recompute every `prev` and `hash` with plain sha256, exactly as someone without
//! phasegate would, so the chain verifies again. What the chain then cannot catch, the lawful
//! replay of `check` must.

use sha2::{Digest, Sha256};

/// The comment lines before the first event, and each event's text (from its `[[event]]` line
/// through its `hash =` line).
pub fn split(journal: &str) -> (String, Vec<String>) {
    let mut preamble = String::new();
    let mut events: Vec<String> = Vec::new();
    for line in journal.split_inclusive('\n') {
        if line.trim_end() == "[[event]]" {
            events.push(String::new());
        }
        match events.last_mut() {
            Some(event) => event.push_str(line),
            None => preamble.push_str(line),
        }
    }
    for event in &mut events {
        while event.ends_with("\n\n") {
            event.pop();
        }
    }
    (preamble, events)
}

/// Renumbers and re-hashes `events` into a journal whose chain verifies.
pub fn rechain(preamble: &str, events: &[String]) -> String {
    let mut out = preamble.to_string();
    let mut prev = "0".repeat(64);
    for (i, event) in events.iter().enumerate() {
        let mut bytes = String::new();
        for line in event.split_inclusive('\n') {
            if line.starts_with("hash = ") {
                continue;
            } else if line.starts_with("seq = ") {
                bytes.push_str(&format!("seq = {}\n", i + 1));
            } else if line.starts_with("prev = ") {
                bytes.push_str(&format!("prev = \"{prev}\"\n"));
            } else {
                bytes.push_str(line);
            }
        }
        let hash: String = Sha256::digest(bytes.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&bytes);
        out.push_str(&format!("hash = \"{hash}\"\n"));
        prev = hash;
    }
    out
}

/// Rewrites the journal at `path` with `edit` applied to its events, re-chained.
pub fn rewrite(path: &std::path::Path, edit: impl FnOnce(&mut Vec<String>)) {
    let text = std::fs::read_to_string(path).expect("read the journal");
    let (preamble, mut events) = split(&text);
    edit(&mut events);
    std::fs::write(path, rechain(&preamble, &events)).expect("write the journal");
}

/// The index of the only event containing every one of `needles`.
pub fn find(events: &[String], needles: &[&str]) -> usize {
    let found: Vec<usize> = (0..events.len())
        .filter(|i| needles.iter().all(|n| events[*i].contains(n)))
        .collect();
    assert_eq!(found.len(), 1, "events matching {needles:?}: {found:?}");
    found[0]
}
