//! A workbook read with calamine in, its result out — or, when calamine panics on a malformed file (its own
//! bugs: an overflowing cell reference, a shared-string index without a table), the panic's message as an
//! error the caller turns into a located "damaged workbook" problem instead of a crash.
//!
//! The binary's panic hook stays quiet for a panic caught here ([`in_guard`]); any other panic is reported.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Run `read`; a panic inside it becomes `Err(message)`.
pub fn guarded<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    let outer = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(read));
    GUARDED.with(|g| g.set(outer));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the reader stopped".to_owned())
    })
}

/// Whether the current thread is inside [`guarded`] (for a panic hook that should stay quiet).
pub fn in_guard() -> bool {
    GUARDED.with(Cell::get)
}

/// The problem message for a workbook the reader gave up on.
pub fn damaged(message: &str) -> String {
    format!("the workbook is damaged: the xlsx reader failed ({message}); open it in Excel or LibreOffice and save it again")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_and_the_flag_is_restored() {
        assert_eq!(guarded(|| 7), Ok(7));
        let r: Result<(), String> = guarded(|| panic!("attempt to multiply with overflow"));
        assert_eq!(r, Err("attempt to multiply with overflow".to_owned()));
        assert!(!in_guard());
    }
}
