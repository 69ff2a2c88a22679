//! Issue 16, item 7: the `os_user` a journal event records is the OS account and host, not
//! whatever `$USER` or `$HOSTNAME` say.

mod common;

use std::process::Command;

use common::Workspace;
use phasegate::store::instance::InstanceOwner;

#[test]
fn user_in_the_environment_does_not_change_the_recorded_os_user() {
    let ws = Workspace::new();
    let out = Command::new(env!("CARGO_BIN_EXE_phasegate"))
        .arg("--workspace")
        .arg(ws.path())
        .args(["--as", "alice", "new", "ident", "--title", "Identity"])
        .env("PHASEGATE_CONFIG", ws.path().join("no-config.toml"))
        .env("USER", "ceo-approved")
        .env("LOGNAME", "ceo-approved")
        .env("HOSTNAME", "approved-host")
        .env_remove("PHASEGATE_WORKSPACE")
        .output()
        .expect("run phasegate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let journal = ws.read("ident", ".phasegate/journal.toml");
    let me = InstanceOwner::current().user_at_host();
    assert!(
        journal.contains(&format!("os_user = \"{me}\"")),
        "expected os_user = {me}:\n{journal}"
    );
    assert!(!journal.contains("ceo-approved"), "{journal}");
    assert!(!journal.contains("approved-host"), "{journal}");
    // The OS's own answer agrees (`id -un`).
    if let Ok(id) = Command::new("id").arg("-un").output()
        && id.status.success()
    {
        let name = String::from_utf8_lossy(&id.stdout).trim().to_string();
        assert!(me.starts_with(&format!("{name}@")), "{me} vs id -un {name}");
    }
}
