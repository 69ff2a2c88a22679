//! placeholder (temporary shim until the config module lands; the helper replaces this file)
#[derive(Debug, Default)]
pub struct Config { pub identity: Option<String> }
pub fn load(_path: Option<&std::path::Path>) -> (Config, Vec<String>) { (Config::default(), Vec::new()) }
pub fn identity(cli_as: Option<&str>, config: &Config) -> String {
    cli_as.map(str::to_string).or_else(|| config.identity.clone()).unwrap_or_else(os_user)
}
pub fn os_user() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "localhost".into());
    format!("{user}@{host}")
}
