//! pidone's own memory once the program runs: the pages of code that only
//! start-up needed are handed back, so an idle pidone keeps resident little
//! more than the event loop.
//!
//! The kernel maps a binary's pages in blocks around each fault, so after
//! parsing options, compiling filters and forking, most of the binary is
//! mapped. Dropping those mappings (the file stays in the page cache, and
//! any page needed again is simply faulted back in) frees them for reclaim.

use std::fs;

/// `madvise(MADV_DONTNEED)` over pidone's executable file mappings. Only
/// those: a read-only data mapping may hold relocations written at start-up
/// (RELRO), which dropping would undo. Best effort: without /proc nothing
/// happens.
pub fn release_startup_pages() {
    let (Ok(maps), Ok(exe)) = (
        fs::read_to_string("/proc/self/maps"),
        fs::read_link("/proc/self/exe"),
    ) else {
        return;
    };
    let Some(exe) = exe.to_str() else { return };
    for (start, end) in code_mappings(&maps, exe) {
        // SAFETY: the range is one of our own file mappings that nothing
        // writes to; after DONTNEED its pages are read back from the file.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
    }
}

/// `(start, end)` of each mapping of `exe` that holds code and can never
/// have been written: `r-x`, not `rwx`.
fn code_mappings<'a>(maps: &'a str, exe: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
    maps.lines().filter_map(move |line| {
        let mut fields = line.split_ascii_whitespace();
        let range = fields.next()?;
        let perms = fields.next()?;
        let path = fields.nth(3)?;
        if path != exe || !perms.starts_with("r-x") {
            return None;
        }
        let (start, end) = range.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        (end > start).then_some((start, end))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_binary_code_only() {
        let maps = "\
00400000-00401000 r--p 00000000 fe:00 7 /sbin/pidone
00401000-00480000 r-xp 00001000 fe:00 7 /sbin/pidone
00480000-00490000 rw-p 00080000 fe:00 7 /sbin/pidone
00490000-004a0000 r--p 00000000 fe:00 9 /lib/other
7ffd0000-7ffd1000 rw-p 00000000 00:00 0 [stack]
";
        let found: Vec<_> = code_mappings(maps, "/sbin/pidone").collect();
        assert_eq!(found, [(0x401000, 0x480000)]);
    }
}
