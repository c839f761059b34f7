//! Builds real fixed-VHD images without root, for tests, benchmarks and demos (cargo feature
//! `test-images`): a sparse raw file, an MBR written here, `mkfs.ext4 -d rootfs -E offset=…`
//! for each ext4 partition, and a fixed-VHD footer appended here.

use std::fs::{self, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::footer::build_fixed_footer;

/// One MiB.
pub const MIB: u64 = 1024 * 1024;
/// One GiB.
pub const GIB: u64 = 1024 * MIB;

/// The path of `mkfs.ext4` (from `PATH` or the usual sbin directories), if installed
/// (Debian/Ubuntu package `e2fsprogs`).
pub fn mkfs() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default();
            dirs.extend(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from));
            dirs.into_iter()
                .map(|d| d.join("mkfs.ext4"))
                .find(|p| p.is_file())
        })
        .clone()
}

/// What a partition holds.
#[derive(Debug, Clone)]
pub enum Content {
    /// Nothing (zeros).
    Empty,
    /// An ext4 filesystem made from this directory.
    Ext4(PathBuf),
    /// Raw bytes written at the partition start.
    Bytes(Vec<u8>),
}

/// One MBR partition.
#[derive(Debug, Clone)]
pub struct Part {
    /// The MBR partition type (0x83 Linux, 0x82 swap, 0x07 NTFS…).
    pub kind: u8,
    /// First sector.
    pub start_lba: u64,
    /// Length in sectors.
    pub sectors: u64,
    /// What it holds.
    pub content: Content,
}

impl Part {
    /// A partition from `start_mib` to the end of a disk of `disk` bytes.
    pub fn rest(kind: u8, start_mib: u64, disk: u64, content: Content) -> Self {
        Self {
            kind,
            start_lba: start_mib * 2048,
            sectors: disk / 512 - start_mib * 2048,
            content,
        }
    }

    /// A partition of `len_mib` MiB at `start_mib`.
    pub fn mib(kind: u8, start_mib: u64, len_mib: u64, content: Content) -> Self {
        Self {
            kind,
            start_lba: start_mib * 2048,
            sectors: len_mib * 2048,
            content,
        }
    }
}

/// Layout of the raw disk.
#[derive(Debug, Clone)]
pub enum Table {
    /// No partition table (zeros).
    None,
    /// An MBR with these partitions (at most four).
    Mbr(Vec<Part>),
    /// A protective MBR (type 0xEE) only.
    Gpt,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Writes `raw` (sparse, `size` bytes) with `table`, then the partition contents.
///
/// Fails when an ext4 partition is asked for and `mkfs.ext4` is missing or fails.
pub fn build_raw(raw: &Path, size: u64, table: &Table) -> io::Result<()> {
    let f = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(raw)?;
    f.set_len(size)?;
    drop(f);
    let mut mbr = [0u8; 512];
    let parts: Vec<Part> = match table {
        Table::None => Vec::new(),
        Table::Gpt => vec![Part {
            kind: 0xEE,
            start_lba: 1,
            sectors: size / 512 - 1,
            content: Content::Empty,
        }],
        Table::Mbr(p) => p.clone(),
    };
    if parts.len() > 4 {
        return Err(invalid("an MBR holds at most four partitions".into()));
    }
    if !matches!(table, Table::None) {
        for (i, p) in parts.iter().enumerate() {
            let to_u32 = |v: u64| {
                u32::try_from(v).map_err(|_| invalid(format!("{v} does not fit an MBR entry")))
            };
            let e = &mut mbr[446 + 16 * i..446 + 16 * (i + 1)];
            e[0] = if i == 0 { 0x80 } else { 0 };
            e[1..4].copy_from_slice(&[0xfe, 0xff, 0xff]);
            e[4] = p.kind;
            e[5..8].copy_from_slice(&[0xfe, 0xff, 0xff]);
            e[8..12].copy_from_slice(&to_u32(p.start_lba)?.to_le_bytes());
            e[12..16].copy_from_slice(&to_u32(p.sectors)?.to_le_bytes());
        }
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        write_at(raw, 0, &mbr)?;
    }
    for p in &parts {
        match &p.content {
            Content::Empty => {}
            Content::Bytes(b) => write_at(raw, p.start_lba * 512, b)?,
            Content::Ext4(dir) => {
                let mkfs = mkfs().ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::NotFound,
                        "mkfs.ext4 not found (install e2fsprogs)",
                    )
                })?;
                let out = Command::new(mkfs)
                    .args(["-q", "-F", "-b", "4096", "-E"])
                    .arg(format!("offset={}", p.start_lba * 512))
                    .arg("-d")
                    .arg(dir)
                    .arg(raw)
                    .arg(format!("{}k", p.sectors / 2))
                    .output()?;
                if !out.status.success() {
                    return Err(io::Error::other(format!(
                        "mkfs.ext4 failed: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Writes `bytes` at `offset` of an existing file.
pub fn write_at(path: &Path, offset: u64, bytes: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    f.write_all(bytes)
}

/// Appends a valid fixed-VHD footer for the file's current length.
pub fn append_footer(raw: &Path) -> io::Result<()> {
    let len = fs::metadata(raw)?.len();
    let mut f = OpenOptions::new().append(true).open(raw)?;
    f.write_all(&build_fixed_footer(len))
}

/// Writes `text` at `path` under `dir`, creating directories.
pub fn put(dir: &Path, path: &str, text: &str) -> io::Result<()> {
    let full = dir.join(path);
    if let Some(parent) = full.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(full, text)
}

/// A root filesystem tree that passes every Linux test (agent, serial console, fstab without
/// swap, sshd `ClientAliveInterval 180`); callers change it to make failing images.
pub fn good_rootfs(dir: &Path) -> io::Result<()> {
    let files: &[(&str, &str)] = &[
        ("etc/os-release", "ID=testlinux\n"),
        (
            "etc/waagent.conf",
            "Provisioning.Enabled=y\nResourceDisk.EnableSwap=y\n",
        ),
        (
            "etc/default/grub",
            "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"\"\nGRUB_CMDLINE_LINUX=\"console=ttyS0 earlyprintk=ttyS0 rootdelay=300\"\n",
        ),
        (
            "etc/fstab",
            "# <fs> <mount> <type>\nLABEL=cloudimg-rootfs / ext4 defaults 0 1\n",
        ),
        (
            "etc/ssh/sshd_config",
            "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nClientAliveInterval 180\n",
        ),
        (
            "etc/ssh/sshd_config.d/10-other.conf",
            "PasswordAuthentication no\n",
        ),
        ("root/.bash_history", "ls\n"),
        ("home/alice/.bash_history", "exit\n"),
        ("usr/sbin/placeholder", ""),
    ];
    for (path, text) in files {
        put(dir, path, text)?;
    }
    Ok(())
}

/// Builds `name.vhd` in `dir` from a prepared layout.
pub fn build_vhd(dir: &Path, name: &str, size: u64, table: &Table) -> io::Result<PathBuf> {
    let path = dir.join(format!("{name}.vhd"));
    build_raw(&path, size, table)?;
    append_footer(&path)?;
    Ok(path)
}

/// A one-partition Linux image of `size` bytes (plus the footer) whose root filesystem is
/// [`good_rootfs`] changed by `tweak`. The rootfs tree is left in `dir/{name}-rootfs`.
pub fn linux_vhd(
    dir: &Path,
    name: &str,
    size: u64,
    tweak: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let root = dir.join(format!("{name}-rootfs"));
    if root.exists() {
        fs::remove_dir_all(&root)?;
    }
    good_rootfs(&root)?;
    tweak(&root)?;
    build_vhd(
        dir,
        name,
        size,
        &Table::Mbr(vec![Part::rest(0x83, 1, size, Content::Ext4(root))]),
    )
}

/// A Linux image that passes every test ([`good_rootfs`]).
pub fn passing_linux_vhd(dir: &Path, name: &str, size: u64) -> io::Result<PathBuf> {
    linux_vhd(dir, name, size, |_| Ok(()))
}

/// A Linux image that fails two tests with clear messages: no Azure Linux agent
/// (`linux.agent`) and `ClientAliveInterval 600` (`linux.ssh_client_alive`).
pub fn failing_linux_vhd(dir: &Path, name: &str, size: u64) -> io::Result<PathBuf> {
    linux_vhd(dir, name, size, |root| {
        fs::remove_file(root.join("etc/waagent.conf"))?;
        put(
            root,
            "etc/ssh/sshd_config",
            "PermitRootLogin no\nClientAliveInterval 600\n",
        )
    })
}

/// A data disk: `size` bytes of zeros (sparse) and a footer.
pub fn data_vhd(dir: &Path, name: &str, size: u64) -> io::Result<PathBuf> {
    build_vhd(dir, name, size, &Table::None)
}

/// Reports a prerequisite this test needs and the machine lacks, then the caller returns.
///
/// Under `CI=true` (or `1`) a missing prerequisite is a failure: CI is meant to run every
/// test, so it panics naming `what` and how to install it. Elsewhere the test is skipped, but
/// not silently: one `SKIP <test>: <what> missing (<hint>)` line goes to stderr and, when
/// `PORTAL_TEST_SKIPS` names a file, is appended to it, so `scripts/test.sh` can count and
/// list the skips (cargo reports a skipped test as passed). The server's tests follow the
/// same convention.
#[track_caller]
pub fn missing(what: &str, hint: &str) {
    if matches!(std::env::var("CI").as_deref(), Ok("true" | "1")) {
        panic!("{what} is missing: {hint}");
    }
    // libtest runs each test on a thread named after the test's path.
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("<unnamed test>");
    let line = format!("SKIP {test}: {what} missing ({hint})\n");
    eprint!("{line}");
    if let Some(path) = std::env::var_os("PORTAL_TEST_SKIPS") {
        // Append mode and a single write of the whole line, so tests skipping in parallel
        // (threads here, other test binaries too) never interleave within a line.
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("PORTAL_TEST_SKIPS ({}): {e}", path.to_string_lossy()));
        file.write_all(line.as_bytes())
            .unwrap_or_else(|e| panic!("PORTAL_TEST_SKIPS ({}): {e}", path.to_string_lossy()));
    }
}
