//! The Linux tests inside the root filesystem, read with `ext4-view` through the shared
//! read-ahead cache: agent, serial console, swap in fstab, shell history, sshd keep-alive.
//!
//! Anything that cannot be read (XFS, LVM, btrfs, an unsupported ext4 feature, corruption) is
//! reported as "needs manual review", never as a pass. A failing read of the image itself
//! (network, budget) is a failure, since the image could not be checked at all.

use std::cell::RefCell;
use std::rc::Rc;

use ext4_view::{Ext4, Ext4Error, Ext4Read};

use crate::partition::{PartitionTable, TYPE_LINUX, TYPE_LVM};
use crate::report::{TestId, TestResult};
use crate::source::{RangeSource, ReadError, check_range};

mod sshd;
use sshd::sshd;

/// The read-ahead cache shared by the footer, the partition table and every filesystem.
pub(crate) type Shared = Rc<RefCell<dyn RangeSource>>;
/// The last error of the image source, to tell "cannot read the image" from "cannot parse it".
pub(crate) type ErrorSlot = Rc<RefCell<Option<ReadError>>>;

/// Most Linux partitions opened (each costs a superblock read).
const MAX_FILESYSTEMS: usize = 8;
/// Largest text file read (configs are a few KiB).
const MAX_TEXT: u64 = 1024 * 1024;
/// Largest history file that counts as cleared.
const MAX_HISTORY: u64 = 1024;
/// Most entries listed in one directory.
const MAX_DIR_ENTRIES: usize = 4096;

/// One partition seen through the shared source, for ext4-view.
struct Window {
    src: Shared,
    base: u64,
    len: u64,
    error: ErrorSlot,
}

impl Ext4Read for Window {
    fn read(
        &mut self,
        start: u64,
        dst: &mut [u8],
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        check_range(start, dst.len(), self.len)?;
        self.src
            .borrow_mut()
            .read_at(self.base + start, dst)
            .map_err(|e| {
                *self.error.borrow_mut() = Some(e.clone());
                Box::new(e) as _
            })
    }
}

/// Why a test or a filesystem could not be read.
enum Problem {
    /// Reading the image failed: the disk fails.
    Source(ReadError),
    /// The filesystem cannot be interpreted: manual review.
    Unreadable(String),
}

fn classify(e: &Ext4Error, slot: &ErrorSlot) -> Problem {
    if let Some(err) = slot.borrow_mut().take() {
        return Problem::Source(err);
    }
    match e {
        Ext4Error::Incompatible(i) => {
            Problem::Unreadable(format!("unsupported ext4 feature ({i})"))
        }
        Ext4Error::Corrupt(c) => Problem::Unreadable(format!("not ext4 or corrupt ({c})")),
        other => Problem::Unreadable(other.to_string()),
    }
}

fn problem_result(id: TestId, what: &str, p: Problem) -> TestResult {
    match p {
        Problem::Source(e) => {
            TestResult::fail(id, format!("Reading {what} from the image failed: {e}"))
        }
        Problem::Unreadable(why) => TestResult::not_run(
            id,
            format!("{what} could not be read ({why}); a reviewer has to check this by hand."),
        ),
    }
}

/// The opened filesystems of a disk.
struct Filesystems {
    root: Ext4,
    /// Every readable filesystem (root included), for a separate /boot.
    others: Vec<Ext4>,
}

/// Guesses a foreign filesystem from its magic, for a clearer message.
fn foreign_name(src: &Shared, base: u64, len: u64) -> Option<&'static str> {
    let mut head = [0u8; 4];
    if len >= 4 && src.borrow_mut().read_at(base, &mut head).is_ok() && &head == b"XFSB" {
        return Some("XFS");
    }
    let mut btrfs = [0u8; 8];
    if len >= 0x10048
        && src.borrow_mut().read_at(base + 0x10040, &mut btrfs).is_ok()
        && &btrfs == b"_BHRfS_M"
    {
        return Some("btrfs");
    }
    None
}

/// Runs every Linux test. `table` is a usable MBR table.
pub(crate) fn check_linux(src: &Shared, table: &PartitionTable) -> Vec<TestResult> {
    let slot: ErrorSlot = Rc::new(RefCell::new(None));
    let mut roots = Vec::new();
    let mut others = Vec::new();
    let mut unreadable = Vec::new();
    for (n, p) in table.partitions.iter().enumerate() {
        if p.kind == TYPE_LVM {
            unreadable.push(format!("partition {} is LVM (type 0x8e)", n + 1));
            continue;
        }
        if p.kind != TYPE_LINUX || roots.len() + others.len() + unreadable.len() >= MAX_FILESYSTEMS
        {
            continue;
        }
        let window = Window {
            src: Rc::clone(src),
            base: p.offset(),
            len: p.len(),
            error: Rc::clone(&slot),
        };
        match Ext4::load(Box::new(window)) {
            Ok(fs) => {
                let is_root = ["/etc/fstab", "/etc/os-release"]
                    .iter()
                    .any(|f| fs.exists(*f).unwrap_or(false));
                if let Some(e) = slot.borrow_mut().take() {
                    return fail_all(e);
                }
                if is_root {
                    roots.push((n + 1, fs));
                } else {
                    others.push(fs);
                }
            }
            Err(e) => match classify(&e, &slot) {
                Problem::Source(e) => return fail_all(e),
                Problem::Unreadable(why) => {
                    let why = foreign_name(src, p.offset(), p.len())
                        .map_or(why, |name| format!("{name} filesystem"));
                    unreadable.push(format!("partition {}: {why}", n + 1));
                }
            },
        }
    }
    let rest_not_run = |results: &mut Vec<TestResult>, why: &str| {
        for id in LINUX_TESTS.iter().skip(1) {
            results.push(TestResult::not_run(*id, why));
        }
    };
    let mut results = Vec::new();
    let root = match roots.len() {
        1 => {
            let (n, fs) = roots.remove(0);
            results.push(TestResult::pass(
                TestId::LinuxFilesystem,
                format!("ext4 root filesystem on partition {n}."),
            ));
            fs
        }
        0 if !unreadable.is_empty() => {
            let why = format!(
                "The root filesystem cannot be inspected ({}): only ext2/3/4 can be read. A reviewer has to check \
                 the Linux requirements by hand.",
                unreadable.join("; ")
            );
            results.push(TestResult::not_run(TestId::LinuxFilesystem, why));
            rest_not_run(
                &mut results,
                "Not run: the root filesystem cannot be inspected; needs manual review.",
            );
            return results;
        }
        0 => {
            results.push(TestResult::fail(
                TestId::LinuxFilesystem,
                "No Linux root filesystem was found (no partition holds /etc/fstab or /etc/os-release).",
            ));
            rest_not_run(&mut results, "Not run: no root filesystem.");
            return results;
        }
        n => {
            let parts: Vec<String> = roots.iter().map(|(p, _)| p.to_string()).collect();
            results.push(TestResult::fail(
                TestId::LinuxFilesystem,
                format!(
                    "Found {n} root filesystems (partitions {}); an OS disk must have a single root partition.",
                    parts.join(", ")
                ),
            ));
            rest_not_run(&mut results, "Not run: the root filesystem is ambiguous.");
            return results;
        }
    };
    let fss = Filesystems { root, others };
    results.push(run(TestId::LinuxAgent, "the agent files", &slot, || {
        agent(&fss.root)
    }));
    results.push(run(
        TestId::LinuxSerialConsole,
        "the boot configuration",
        &slot,
        || serial_console(&fss),
    ));
    results.push(run(TestId::LinuxFstabNoSwap, "/etc/fstab", &slot, || {
        fstab(&fss.root)
    }));
    results.push(run(
        TestId::LinuxShellHistory,
        "the shell history files",
        &slot,
        || history(&fss.root),
    ));
    results.push(run(
        TestId::LinuxSshClientAlive,
        "the sshd configuration",
        &slot,
        || sshd(&fss.root),
    ));
    results
}

/// The Linux tests in report order.
pub(crate) const LINUX_TESTS: &[TestId] = &[
    TestId::LinuxFilesystem,
    TestId::LinuxAgent,
    TestId::LinuxSerialConsole,
    TestId::LinuxFstabNoSwap,
    TestId::LinuxShellHistory,
    TestId::LinuxSshClientAlive,
];

fn fail_all(e: ReadError) -> Vec<TestResult> {
    let mut results = vec![TestResult::fail(
        TestId::LinuxFilesystem,
        format!("Reading the filesystem from the image failed: {e}"),
    )];
    for id in LINUX_TESTS.iter().skip(1) {
        results.push(TestResult::not_run(
            *id,
            "Not run: the image could not be read.",
        ));
    }
    results
}

fn run(
    id: TestId,
    what: &str,
    slot: &ErrorSlot,
    f: impl FnOnce() -> Result<TestResult, Ext4Error>,
) -> TestResult {
    let out = f();
    // A source error wins even when ext4-view swallowed it into a "not found".
    if let Some(e) = slot.borrow_mut().take() {
        return problem_result(id, what, Problem::Source(e));
    }
    out.unwrap_or_else(|e| problem_result(id, what, classify(&e, slot)))
}

/// Reads a small text file; `None` when it does not exist or is not a regular file.
fn read_text(fs: &Ext4, path: &str) -> Result<Option<String>, Ext4Error> {
    let meta = match fs.metadata(path) {
        Ok(m) => m,
        Err(Ext4Error::NotFound | Ext4Error::NotADirectory) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !meta.file_type().is_regular_file() {
        return Ok(None);
    }
    if meta.len() > MAX_TEXT {
        return Err(Ext4Error::FileTooLarge);
    }
    let bytes = fs.read(path)?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Names in a directory (without `.` and `..`); empty when it does not exist.
fn list_dir(fs: &Ext4, dir: &str) -> Result<Vec<String>, Ext4Error> {
    let entries = match fs.read_dir(dir) {
        Ok(r) => r,
        Err(Ext4Error::NotFound | Ext4Error::NotADirectory) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut names = Vec::new();
    for entry in entries.take(MAX_DIR_ENTRIES) {
        let entry = entry?;
        if let Ok(name) = entry.file_name().as_str()
            && name != "."
            && name != ".."
        {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn exists(fs: &Ext4, path: &str) -> Result<bool, Ext4Error> {
    match fs.exists(path) {
        Ok(b) => Ok(b),
        Err(Ext4Error::NotADirectory) => Ok(false),
        Err(e) => Err(e),
    }
}

fn agent(fs: &Ext4) -> Result<TestResult, Ext4Error> {
    for path in ["/etc/waagent.conf", "/usr/sbin/waagent", "/usr/bin/waagent"] {
        if exists(fs, path)? {
            return Ok(TestResult::pass(
                TestId::LinuxAgent,
                format!("Found {path}."),
            ));
        }
    }
    Ok(TestResult::fail(
        TestId::LinuxAgent,
        "The Azure Linux agent is not installed (no /etc/waagent.conf, /usr/sbin/waagent or /usr/bin/waagent). \
         Install it from your distribution's package (walinuxagent / WALinuxAgent, version 2.2.41 or later).",
    ))
}

/// Whether a kernel command line contains `console=ttyS0` (alone or with options).
pub(crate) fn has_serial_console(cmdline: &str) -> bool {
    cmdline
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .any(|t| t == "console=ttyS0" || t.starts_with("console=ttyS0,"))
}

fn default_grub_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("GRUB_CMDLINE_LINUX"))
}

fn boot_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| {
        let first = l.split_whitespace().next().unwrap_or("");
        matches!(
            first,
            "linux" | "linux16" | "linuxefi" | "options" | "kernel"
        )
    })
}

fn serial_console(fss: &Filesystems) -> Result<TestResult, Ext4Error> {
    let root = &fss.root;
    let mut looked = Vec::new();
    let found =
        |path: String, text: Option<String>, grub_default: bool, looked: &mut Vec<String>| {
            let text = text?;
            looked.push(path.clone());
            let hit = if grub_default {
                default_grub_lines(&text).any(has_serial_console)
            } else if path.ends_with("/etc/kernel/cmdline") {
                has_serial_console(&text)
            } else {
                boot_lines(&text).any(has_serial_console)
            };
            hit.then_some(path)
        };
    let mut candidates: Vec<(String, bool)> = vec![("/etc/default/grub".into(), true)];
    for name in list_dir(root, "/etc/default/grub.d")? {
        if name.ends_with(".cfg") {
            candidates.push((format!("/etc/default/grub.d/{name}"), true));
        }
    }
    for p in [
        "/boot/grub/grub.cfg",
        "/boot/grub2/grub.cfg",
        "/etc/kernel/cmdline",
    ] {
        candidates.push((p.into(), false));
    }
    for name in list_dir(root, "/boot/loader/entries")? {
        if name.ends_with(".conf") {
            candidates.push((format!("/boot/loader/entries/{name}"), false));
        }
    }
    for (path, grub_default) in candidates {
        let text = read_text(root, &path)?;
        if let Some(hit) = found(path, text, grub_default, &mut looked) {
            return Ok(TestResult::pass(
                TestId::LinuxSerialConsole,
                format!("console=ttyS0 is set in {hit}."),
            ));
        }
    }
    // A separate /boot partition holds grub/grub.cfg at its own root.
    for (i, fs) in fss.others.iter().enumerate() {
        for p in ["/grub/grub.cfg", "/grub2/grub.cfg"] {
            let text = read_text(fs, p)?;
            if let Some(hit) = found(
                format!("boot partition {}:{p}", i + 1),
                text,
                false,
                &mut looked,
            ) {
                return Ok(TestResult::pass(
                    TestId::LinuxSerialConsole,
                    format!("console=ttyS0 is set in {hit}."),
                ));
            }
        }
    }
    let seen = if looked.is_empty() {
        "no boot configuration was found".to_owned()
    } else {
        format!("looked in {}", looked.join(", "))
    };
    Ok(TestResult::fail(
        TestId::LinuxSerialConsole,
        format!(
            "The kernel command line does not contain console=ttyS0 ({seen}). Add `console=ttyS0 earlyprintk=ttyS0 \
             rootdelay=300` to GRUB_CMDLINE_LINUX in /etc/default/grub and regenerate grub.cfg."
        ),
    ))
}

fn fstab(fs: &Ext4) -> Result<TestResult, Ext4Error> {
    let Some(text) = read_text(fs, "/etc/fstab")? else {
        return Ok(TestResult::pass(
            TestId::LinuxFstabNoSwap,
            "There is no /etc/fstab.",
        ));
    };
    let swaps: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.split_whitespace().nth(2) == Some("swap"))
        .collect();
    Ok(if swaps.is_empty() {
        TestResult::pass(TestId::LinuxFstabNoSwap, "/etc/fstab has no swap entry.")
    } else {
        TestResult::fail(
            TestId::LinuxFstabNoSwap,
            format!(
                "/etc/fstab mounts swap ({}). Remove the line; swap belongs on the resource disk \
                 (ResourceDisk.EnableSwap=y in /etc/waagent.conf).",
                swaps.join(" | ")
            ),
        )
    })
}

fn history(fs: &Ext4) -> Result<TestResult, Ext4Error> {
    let mut files = vec!["/root/.bash_history".to_owned()];
    for user in list_dir(fs, "/home")? {
        files.push(format!("/home/{user}/.bash_history"));
    }
    let mut big = Vec::new();
    for path in &files {
        let meta = match fs.symlink_metadata(path.as_str()) {
            Ok(m) => m,
            Err(Ext4Error::NotFound | Ext4Error::NotADirectory) => continue,
            Err(e) => return Err(e),
        };
        if meta.file_type().is_regular_file() && meta.len() > MAX_HISTORY {
            big.push(format!("{path} ({} bytes)", meta.len()));
        }
    }
    Ok(if big.is_empty() {
        TestResult::pass(
            TestId::LinuxShellHistory,
            "Shell history files are absent or at most 1 KiB.",
        )
    } else {
        TestResult::fail(
            TestId::LinuxShellHistory,
            format!(
                "Shell history is not cleared: {}. Run `cat /dev/null > ~/.bash_history && history -c` for every \
                 user before capturing the image.",
                big.join(", ")
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_console_tokens() {
        assert!(has_serial_console(
            "GRUB_CMDLINE_LINUX=\"console=ttyS0 earlyprintk=ttyS0\""
        ));
        assert!(has_serial_console(
            "linux /vmlinuz root=/dev/sda1 console=tty1 console=ttyS0,115200n8"
        ));
        assert!(!has_serial_console("console=ttyS01 console=tty0"));
        assert!(!has_serial_console("xconsole=ttyS0"));
    }
}
