//! The allowed-signers file in ssh-keygen's format (`ssh-keygen(1)`, ALLOWED SIGNERS): who may
//! sign decisions, with which key, for which namespaces and when (DESIGN §7).
//!
//! One entry a line: `principals [options] keytype base64-key [comment]`. Principals are a
//! comma-separated list of patterns (`*` and `?` wildcards, `!` to exclude); options are
//! `namespaces="a,b"`, `valid-after="YYYYMMDD[HHMM[SS]][Z]"`, `valid-before=…`. Times are read as
//! UTC (ssh-keygen reads a time without `Z` as local time; write the `Z` to agree with it).
//! `cert-authority` lines are refused: phasegate verifies plain keys only.

use ssh_key::{HashAlg, PublicKey};

use super::position::{Finding, Position};
use super::time::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedSigner {
    /// 1-based line in the file.
    pub line: usize,
    pub principals: Vec<String>,
    /// `None`: every namespace.
    pub namespaces: Option<Vec<String>>,
    pub valid_after: Option<Timestamp>,
    pub valid_before: Option<Timestamp>,
    pub key: PublicKey,
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllowedSigners {
    /// The file as named in messages.
    pub file: String,
    pub signers: Vec<AllowedSigner>,
}

/// The `SHA256:` fingerprint of a key.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Trimmed and case-folded: how phasegate compares identities (`Alice`, `alice ` are `alice`).
pub fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

/// `*` any run, `?` one character; compared case-folded.
fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

impl AllowedSigner {
    /// Whether `name` is one of this entry's principals (patterns honoured, case-folded).
    pub fn admits(&self, name: &str) -> bool {
        let name = fold(name);
        let mut admitted = false;
        for pattern in &self.principals {
            let pattern = fold(pattern);
            if let Some(excluded) = pattern.strip_prefix('!') {
                if glob(excluded, &name) {
                    return false;
                }
            } else if glob(&pattern, &name) {
                admitted = true;
            }
        }
        admitted
    }

    /// Whether a principal is a literal name rather than a pattern.
    pub fn literal_principals(&self) -> impl Iterator<Item = &str> {
        self.principals
            .iter()
            .map(String::as_str)
            .filter(|p| !p.contains(['*', '?', '!']))
    }

    pub fn allows_namespace(&self, namespace: &str) -> bool {
        self.namespaces
            .as_ref()
            .is_none_or(|list| list.iter().any(|n| glob(n, namespace)))
    }

    /// Why the key may not sign at `at`, if it may not.
    pub fn invalid_at(&self, at: Timestamp) -> Option<String> {
        if let Some(after) = self.valid_after
            && at < after
        {
            return Some(format!("the key is valid only after {after}"));
        }
        if let Some(before) = self.valid_before
            && at >= before
        {
            return Some(format!("the key was valid only before {before}"));
        }
        None
    }
}

impl AllowedSigners {
    /// Entries for a key, by its `SHA256:` fingerprint.
    pub fn for_key<'a>(&'a self, fingerprint: &'a str) -> impl Iterator<Item = &'a AllowedSigner> {
        self.signers
            .iter()
            .filter(move |s| s.fingerprint == fingerprint)
    }

    /// Every literal principal listed for a key, in file order, without repeats.
    pub fn principals_of(&self, fingerprint: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in self
            .for_key(fingerprint)
            .flat_map(|s| s.literal_principals())
        {
            if !out.iter().any(|o| fold(o) == fold(p)) {
                out.push(p.to_string());
            }
        }
        out
    }

    pub fn parse(file: &str, text: &str) -> Result<AllowedSigners, Finding> {
        let mut signers = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indent = line.len() - trimmed.len();
            signers.push(parse_line(file, i + 1, indent, trimmed)?);
        }
        Ok(AllowedSigners {
            file: file.to_string(),
            signers,
        })
    }
}

/// Splits off the next whitespace-separated field; double quotes group spaces. Returns the
/// field, its byte offset in `s` and the rest.
fn next_field(s: &str) -> Option<(&str, usize, &str)> {
    let start = s.len() - s.trim_start().len();
    let s2 = &s[start..];
    if s2.is_empty() {
        return None;
    }
    let mut quoted = false;
    let mut end = s2.len();
    for (i, c) in s2.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    Some((&s2[..end], start, &s2[end..]))
}

/// Splits on commas outside double quotes.
fn split_commas(s: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push((&s[start..i], start));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push((&s[start..], start));
    out
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

fn looks_like_key_type(s: &str) -> bool {
    s.starts_with("ssh-") || s.starts_with("ecdsa-") || s.starts_with("sk-")
}

/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optionally ending in `Z`; read as UTC.
fn parse_time(s: &str) -> Option<Timestamp> {
    let digits = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (date, hh, mm, ss) = match digits.len() {
        8 => (digits, "00", "00", "00"),
        12 => (&digits[..8], &digits[8..10], &digits[10..12], "00"),
        14 => (
            &digits[..8],
            &digits[8..10],
            &digits[10..12],
            &digits[12..14],
        ),
        _ => return None,
    };
    Timestamp::parse(&format!(
        "{}-{}-{}T{hh}:{mm}:{ss}Z",
        &date[..4],
        &date[4..6],
        &date[6..8]
    ))
}

fn parse_line(
    file: &str,
    line: usize,
    indent: usize,
    text: &str,
) -> Result<AllowedSigner, Finding> {
    let at = |offset: usize, message: String| {
        Finding::new(Position::new(file, line, indent + offset + 1), message)
    };
    let Some((principals_field, p_off, rest)) = next_field(text) else {
        return Err(at(0, "empty entry".into()));
    };
    let principals: Vec<String> = unquote(principals_field)
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if principals.is_empty() {
        return Err(at(p_off, "an entry needs at least one principal".into()));
    }
    let consumed = text.len() - rest.len();
    let Some((second, s_off, mut rest)) = next_field(rest) else {
        return Err(at(
            consumed,
            "missing key: expected `principals [options] keytype base64-key`".into(),
        ));
    };
    let mut key_type = (second, consumed + s_off);
    let (mut namespaces, mut valid_after, mut valid_before) = (None, None, None);
    if !looks_like_key_type(second) {
        let options_off = consumed + s_off;
        for (option, off) in split_commas(second) {
            let col = options_off + off;
            let (name, value) = match option.split_once('=') {
                Some((n, v)) => (n.trim(), Some(unquote(v.trim()))),
                None => (option.trim(), None),
            };
            match (name.to_ascii_lowercase().as_str(), value) {
                ("cert-authority", _) => {
                    return Err(at(
                        col,
                        "`cert-authority` is not supported: phasegate verifies plain keys; list each signer's own key".into(),
                    ));
                }
                ("namespaces", Some(v)) => {
                    namespaces = Some(
                        v.split(',')
                            .map(|n| n.trim().to_string())
                            .filter(|n| !n.is_empty())
                            .collect(),
                    );
                }
                ("valid-after" | "valid-before", Some(v)) => {
                    let t = parse_time(v).ok_or_else(|| {
                        at(
                            col,
                            format!(
                                "{name}=\"{v}\": expected YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, optionally ending in Z"
                            ),
                        )
                    })?;
                    if name.eq_ignore_ascii_case("valid-after") {
                        valid_after = Some(t);
                    } else {
                        valid_before = Some(t);
                    }
                }
                (other, _) => {
                    return Err(at(
                        col,
                        format!(
                            "unknown option `{other}` (expected namespaces=, valid-after=, valid-before=)"
                        ),
                    ));
                }
            }
        }
        let consumed = text.len() - rest.len();
        let Some((kt, k_off, r)) = next_field(rest) else {
            return Err(at(
                consumed,
                "missing key type after the options (e.g. ssh-ed25519)".into(),
            ));
        };
        key_type = (kt, consumed + k_off);
        rest = r;
    }
    let consumed = text.len() - rest.len();
    let Some((blob, _, _)) = next_field(rest) else {
        return Err(at(
            consumed,
            format!("missing base64 key after `{}`", key_type.0),
        ));
    };
    let key = PublicKey::from_openssh(&format!("{} {blob}", key_type.0)).map_err(|e| {
        at(
            key_type.1,
            format!(
                "`{}` key does not parse ({e}); phasegate reads ssh-ed25519 and ecdsa-sha2-nistp256/384 keys",
                key_type.0
            ),
        )
    })?;
    Ok(AllowedSigner {
        line,
        principals,
        namespaces,
        valid_after,
        valid_before,
        fingerprint: fingerprint(&key),
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmpgq7pl+hAiC35DgdlS90CsKHTsDZRU5qTB6vnp16t";

    #[test]
    fn parses_principals_options_and_comments() {
        let text = format!(
            "# team keys\n\nalice,Bob {KEY} alice@laptop\n  \"carol, dan\" namespaces=\"git,phasegate\",valid-after=\"20260101\",valid-before=\"20270101000000Z\" {KEY}\n"
        );
        let s = AllowedSigners::parse("allowed_signers", &text).unwrap();
        assert_eq!(s.signers.len(), 2);
        assert_eq!(s.signers[0].principals, ["alice", "Bob"]);
        assert_eq!(s.signers[0].line, 3);
        assert!(s.signers[0].admits("bob "));
        assert!(s.signers[0].fingerprint.starts_with("SHA256:"));
        let carol = &s.signers[1];
        assert_eq!(carol.principals, ["carol", "dan"]);
        assert!(carol.allows_namespace("phasegate") && !carol.allows_namespace("file"));
        assert_eq!(carol.valid_after, Timestamp::parse("2026-01-01T00:00:00Z"));
        let t = |s| Timestamp::parse(s).unwrap();
        assert!(carol.invalid_at(t("2025-12-31T23:59:59Z")).is_some());
        assert!(carol.invalid_at(t("2026-06-01T00:00:00Z")).is_none());
        assert!(carol.invalid_at(t("2027-01-01T00:00:00Z")).is_some());
        assert_eq!(
            s.principals_of(&carol.fingerprint),
            ["alice", "Bob", "carol", "dan"]
        );
    }

    #[test]
    fn wildcards_and_negation() {
        let text = format!("*@example.net,!mallory@example.net {KEY}\n");
        let s = AllowedSigners::parse("f", &text).unwrap();
        assert!(s.signers[0].admits("alice@example.net"));
        assert!(!s.signers[0].admits("mallory@example.net"));
        assert!(!s.signers[0].admits("alice@example.org"));
        assert!(s.principals_of(&s.signers[0].fingerprint).is_empty());
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = AllowedSigners::parse("f", &format!("alice cert-authority {KEY}\n")).unwrap_err();
        assert_eq!(err.position.to_string(), "f:1:7");
        assert!(err.message.contains("cert-authority"), "{}", err.message);

        let err = AllowedSigners::parse("f", "\nalice ssh-ed25519 AAAAnot-base64\n").unwrap_err();
        assert_eq!(err.position.to_string(), "f:2:7");

        let err = AllowedSigners::parse("f", &format!("alice valid-before=\"tomorrow\" {KEY}"))
            .unwrap_err();
        assert!(err.message.contains("tomorrow"), "{}", err.message);
        let err = AllowedSigners::parse("f", "alice\n").unwrap_err();
        assert!(err.message.contains("missing key"), "{}", err.message);
        let err = AllowedSigners::parse("f", &format!("alice colour=\"x\" {KEY}")).unwrap_err();
        assert!(err.message.contains("unknown option"), "{}", err.message);
    }
}
