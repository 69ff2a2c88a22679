//! The engagement's advisory lock, taken for every read-modify-write and held for milliseconds.

use std::fs::{self, File, OpenOptions};
use std::path::Path;

use super::StoreError;

pub const LOCK_FILE: &str = ".phasegate/lock";

/// Held while alive; dropping the file releases the lock.
pub struct EngagementLock {
    _file: File,
}

impl EngagementLock {
    pub fn acquire(root: &Path) -> Result<EngagementLock, StoreError> {
        let path = root.join(LOCK_FILE);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| StoreError::io(parent, &e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::io(&path, &e))?;
        file.lock().map_err(|e| StoreError::io(&path, &e))?;
        Ok(EngagementLock { _file: file })
    }
}
