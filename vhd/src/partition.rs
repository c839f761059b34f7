//! The partition table: MBR parsing (with logical partitions through the extended chain),
//! GPT and "no table" detection, and the layout tests (1 MiB alignment, no swap partition,
//! partitions matching the declared operating system).

use crate::report::{TestId, TestResult};
use crate::source::{RangeSource, ReadError};

/// Sector size of MBR addressing.
pub const SECTOR: u64 = 512;
/// Linux native filesystem.
pub const TYPE_LINUX: u8 = 0x83;
/// Linux swap.
pub const TYPE_SWAP: u8 = 0x82;
/// Linux LVM.
pub const TYPE_LVM: u8 = 0x8E;
/// NTFS / exFAT (Windows).
pub const TYPE_NTFS: u8 = 0x07;
/// GPT protective MBR.
pub const TYPE_GPT: u8 = 0xEE;
/// Most logical partitions followed, so a looping chain ends.
const MAX_LOGICAL: usize = 128;

fn is_extended(kind: u8) -> bool {
    matches!(kind, 0x05 | 0x0F | 0x85)
}

/// One partition of the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// The MBR type byte.
    pub kind: u8,
    /// First sector.
    pub start_lba: u64,
    /// Length in sectors.
    pub sectors: u64,
    /// Whether it is a logical partition inside an extended one.
    pub logical: bool,
}

impl Partition {
    /// Byte offset of the partition.
    pub fn offset(&self) -> u64 {
        self.start_lba * SECTOR
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.sectors * SECTOR
    }

    /// Whether the partition has no sectors.
    pub fn is_empty(&self) -> bool {
        self.sectors == 0
    }
}

/// What kind of partition table the disk has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// A classic MBR (generation 1 VMs).
    Mbr,
    /// A protective MBR in front of a GPT (generation 2 VMs).
    Gpt,
    /// No 0x55AA signature in sector 0.
    None,
}

/// The parsed table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionTable {
    /// The kind of table.
    pub kind: TableKind,
    /// Primary and logical data partitions (extended containers are left out).
    pub partitions: Vec<Partition>,
    /// Structural problems found (entries past the end of the disk, broken chains).
    pub problems: Vec<String>,
}

fn entry(sector: &[u8; 512], i: usize) -> (u8, u64, u64) {
    let e = &sector[446 + 16 * i..446 + 16 * (i + 1)];
    let start = u32::from_le_bytes([e[8], e[9], e[10], e[11]]);
    let count = u32::from_le_bytes([e[12], e[13], e[14], e[15]]);
    (e[4], u64::from(start), u64::from(count))
}

fn has_signature(sector: &[u8; 512]) -> bool {
    sector[510] == 0x55 && sector[511] == 0xAA
}

/// Reads the MBR (and any extended chain) of a disk of `disk_size` bytes.
///
/// Errors only when the source fails; a damaged table is described in `problems`.
pub fn read_table(src: &mut dyn RangeSource, disk_size: u64) -> Result<PartitionTable, ReadError> {
    let mut table = PartitionTable {
        kind: TableKind::None,
        partitions: Vec::new(),
        problems: Vec::new(),
    };
    let disk_sectors = disk_size / SECTOR;
    if disk_sectors == 0 {
        return Ok(table);
    }
    let mut mbr = [0u8; 512];
    src.read_at(0, &mut mbr)?;
    if !has_signature(&mbr) {
        return Ok(table);
    }
    table.kind = TableKind::Mbr;
    let mut extended = None;
    for i in 0..4 {
        let (kind, start, count) = entry(&mbr, i);
        if kind == 0 {
            continue;
        }
        if kind == TYPE_GPT {
            table.kind = TableKind::Gpt;
            return Ok(table);
        }
        if start + count > disk_sectors || start == 0 {
            table.problems.push(format!(
                "primary partition {} (type 0x{kind:02x}) lies outside the disk",
                i + 1
            ));
            continue;
        }
        if is_extended(kind) {
            if extended.replace(start).is_some() {
                table
                    .problems
                    .push("more than one extended partition".to_owned());
            }
            continue;
        }
        table.partitions.push(Partition {
            kind,
            start_lba: start,
            sectors: count,
            logical: false,
        });
    }
    if let Some(base) = extended {
        follow_chain(src, base, disk_sectors, &mut table)?;
    }
    Ok(table)
}

fn follow_chain(
    src: &mut dyn RangeSource,
    base: u64,
    disk_sectors: u64,
    table: &mut PartitionTable,
) -> Result<(), ReadError> {
    let mut ebr_lba = base;
    let mut seen = Vec::new();
    for _ in 0..MAX_LOGICAL {
        if seen.contains(&ebr_lba) {
            table
                .problems
                .push("the logical partition chain loops".to_owned());
            return Ok(());
        }
        seen.push(ebr_lba);
        if ebr_lba >= disk_sectors {
            table
                .problems
                .push("the logical partition chain points outside the disk".to_owned());
            return Ok(());
        }
        let mut ebr = [0u8; 512];
        src.read_at(ebr_lba * SECTOR, &mut ebr)?;
        if !has_signature(&ebr) {
            table
                .problems
                .push("a logical partition record has no 0x55AA signature".to_owned());
            return Ok(());
        }
        let (kind, rel, count) = entry(&ebr, 0);
        if kind != 0 {
            let start = ebr_lba + rel;
            if rel == 0 || start + count > disk_sectors {
                table.problems.push(format!(
                    "a logical partition (type 0x{kind:02x}) lies outside the disk"
                ));
            } else {
                table.partitions.push(Partition {
                    kind,
                    start_lba: start,
                    sectors: count,
                    logical: true,
                });
            }
        }
        let (next_kind, next_rel, _) = entry(&ebr, 1);
        if next_kind == 0 || next_rel == 0 {
            return Ok(());
        }
        ebr_lba = base + next_rel;
    }
    table
        .problems
        .push(format!("more than {MAX_LOGICAL} logical partitions"));
    Ok(())
}

/// The layout tests for an OS disk. Returns the results and whether the table can be used to
/// look inside partitions.
pub(crate) fn check_layout(table: &PartitionTable, windows: bool) -> (Vec<TestResult>, bool) {
    let mut results = Vec::new();
    match table.kind {
        TableKind::None => {
            results.push(TestResult::fail(
                TestId::PartitionTable,
                "Sector 0 has no partition table (no 0x55AA signature). An OS disk needs an MBR with the root \
                 partition; check that the VHD holds the whole disk, not just one partition.",
            ));
            return (results, false);
        }
        TableKind::Gpt => {
            results.push(TestResult::fail(
                TestId::PartitionTable,
                "The disk uses a GPT partition table (protective MBR type 0xEE), which boots only as a \
                 generation 2 VM; this offer needs a generation 1 image with an MBR partition table.",
            ));
            return (results, false);
        }
        TableKind::Mbr => {}
    }
    if table.partitions.is_empty() {
        let mut msg = "The MBR has no partitions.".to_owned();
        for p in &table.problems {
            msg.push_str(&format!(" Problem: {p}."));
        }
        results.push(TestResult::fail(TestId::PartitionTable, msg));
        return (results, false);
    }
    results.push(if table.problems.is_empty() {
        TestResult::pass(
            TestId::PartitionTable,
            format!(
                "MBR partition table with {} partition(s).",
                table.partitions.len()
            ),
        )
    } else {
        TestResult::fail(
            TestId::PartitionTable,
            format!(
                "The MBR partition table is damaged: {}. Repair it (e.g. with fdisk) and upload again.",
                table.problems.join("; ")
            ),
        )
    });
    let first = table
        .partitions
        .iter()
        .map(|p| p.start_lba)
        .min()
        .unwrap_or(0);
    results.push(if first >= 2048 {
        TestResult::pass(
            TestId::PartitionAlignment,
            format!("The first partition starts at sector {first}."),
        )
    } else {
        TestResult::fail(
            TestId::PartitionAlignment,
            format!(
                "The first partition starts at sector {first}; the first 2048 sectors (1 MiB) must be free. \
                 Move it, e.g. `echo '+1M,' | sfdisk --move-data /dev/sdX -N 1`."
            ),
        )
    });
    let swaps = table
        .partitions
        .iter()
        .filter(|p| p.kind == TYPE_SWAP)
        .count();
    results.push(if swaps == 0 {
        TestResult::pass(TestId::PartitionNoSwap, "No swap partition.")
    } else {
        TestResult::fail(
            TestId::PartitionNoSwap,
            format!(
                "Found {swaps} swap partition(s) (type 0x82). Remove them; the Azure Linux agent puts swap on the \
                 resource disk (ResourceDisk.EnableSwap=y in /etc/waagent.conf)."
            ),
        )
    });
    let has = |k: u8| table.partitions.iter().any(|p| p.kind == k);
    let linux = has(TYPE_LINUX) || has(TYPE_LVM);
    let ntfs = has(TYPE_NTFS);
    results.push(match (windows, linux, ntfs) {
        (false, true, _) => TestResult::pass(
            TestId::PartitionOsFamily,
            "The disk has a Linux partition.",
        ),
        (false, false, true) => TestResult::fail(
            TestId::PartitionOsFamily,
            "The offer declares Linux but the disk has only NTFS partitions (a Windows image). Fix the OS type \
             or upload the Linux image.",
        ),
        (false, false, false) => TestResult::fail(
            TestId::PartitionOsFamily,
            "The offer declares Linux but the disk has no Linux partition (type 0x83 or LVM 0x8e).",
        ),
        (true, _, true) => TestResult::pass(
            TestId::PartitionOsFamily,
            "The disk has an NTFS partition (Windows).",
        ),
        (true, true, false) => TestResult::fail(
            TestId::PartitionOsFamily,
            "The offer declares Windows but the disk has Linux partitions and no NTFS partition. Fix the OS type \
             or upload the Windows image.",
        ),
        (true, false, false) => TestResult::fail(
            TestId::PartitionOsFamily,
            "The offer declares Windows but the disk has no NTFS partition (type 0x07).",
        ),
    });
    (results, table.problems.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    fn put(sector: &mut [u8], i: usize, kind: u8, start: u32, count: u32) {
        let e = &mut sector[446 + 16 * i..446 + 16 * (i + 1)];
        e[4] = kind;
        e[8..12].copy_from_slice(&start.to_le_bytes());
        e[12..16].copy_from_slice(&count.to_le_bytes());
    }

    #[test]
    fn logical_partitions_are_found_and_loops_end() {
        let mut disk = vec![0u8; 8 * 1024 * 1024];
        put(&mut disk, 0, TYPE_LINUX, 2048, 4096);
        put(&mut disk, 1, 0x05, 6144, 8192);
        disk[510] = 0x55;
        disk[511] = 0xAA;
        // EBR at 6144: a swap logical partition, then a link back to itself (a loop).
        let ebr = 6144 * 512;
        put(&mut disk[ebr..], 0, TYPE_SWAP, 2048, 1024);
        put(&mut disk[ebr..], 1, 0x05, 0, 0);
        disk[ebr + 510] = 0x55;
        disk[ebr + 511] = 0xAA;
        let size = disk.len() as u64;
        let mut src = MemorySource(disk.clone());
        let t = read_table(&mut src, size).unwrap();
        assert_eq!(t.kind, TableKind::Mbr);
        assert_eq!(t.partitions.len(), 2);
        assert!(t.partitions[1].logical && t.partitions[1].kind == TYPE_SWAP);
        // A second EBR at base+100 whose link points back to itself: a loop that must end.
        put(&mut disk[ebr..], 1, 0x05, 100, 100);
        let ebr2 = (6144 + 100) * 512;
        put(&mut disk[ebr2..], 0, TYPE_LINUX, 10, 10);
        put(&mut disk[ebr2..], 1, 0x05, 100, 100);
        disk[ebr2 + 510] = 0x55;
        disk[ebr2 + 511] = 0xAA;
        let t = read_table(&mut MemorySource(disk), size).unwrap();
        assert_eq!(t.partitions.len(), 3);
        assert!(t.problems.iter().any(|p| p.contains("loops")), "{t:?}");
    }
}
