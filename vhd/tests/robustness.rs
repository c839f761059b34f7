//! Property tests: random and half-valid images never panic, and the read-ahead cache always
//! returns the same bytes as the source under it.

use portal_vhd::footer::build_fixed_footer;
use portal_vhd::partition::read_table;
use portal_vhd::{
    DiskKind, MemorySource, OsFamily, RangeSource, ReadAhead, SizeLimits, certify_disk,
};
use proptest::prelude::*;

const KINDS: [DiskKind; 3] = [
    DiskKind::Os {
        family: OsFamily::Linux,
    },
    DiskKind::Os {
        family: OsFamily::Windows,
    },
    DiskKind::Data { lun: 0 },
];

fn small_limits() -> SizeLimits {
    SizeLimits {
        min: 0,
        linux_os_min: 0,
        windows_os_min: 0,
        ..SizeLimits::default()
    }
}

/// A disk of `sectors` sectors: random bytes, a valid MBR signature with random entries that
/// point inside the disk, an ext4 magic at each partition, and a valid fixed footer, so the
/// checks go all the way into the partition and filesystem code.
fn half_valid_disk() -> impl Strategy<Value = Vec<u8>> {
    (
        64u64..2048,
        proptest::collection::vec(any::<u8>(), 0..8192),
        proptest::collection::vec((any::<u8>(), 0u32..2048, 0u32..2048), 1..4),
        any::<[u8; 64]>(),
    )
        .prop_map(|(sectors, noise, entries, sb)| {
            let size = sectors * 512;
            let mut disk = vec![0u8; size as usize];
            for (i, b) in noise.iter().enumerate() {
                let at = (i * 7919) % disk.len();
                disk[at] = *b;
            }
            for (i, (kind, start, count)) in entries.iter().enumerate() {
                let kind = [0x83, 0x82, 0x07, 0x05, 0xEE, *kind][usize::from(*kind) % 6];
                let e = 446 + 16 * i;
                disk[e + 4] = kind;
                disk[e + 8..e + 12].copy_from_slice(&(start % sectors as u32).to_le_bytes());
                disk[e + 12..e + 16].copy_from_slice(&count.to_le_bytes());
                let sb_at = (u64::from(start % sectors as u32) * 512 + 1024) as usize;
                if sb_at + 64 <= disk.len() {
                    disk[sb_at..sb_at + 64].copy_from_slice(&sb);
                    if sb_at + 58 <= disk.len() {
                        disk[sb_at + 56] = 0x53;
                        disk[sb_at + 57] = 0xEF;
                    }
                }
            }
            disk[510] = 0x55;
            disk[511] = 0xAA;
            disk.extend_from_slice(&build_fixed_footer(size));
            disk
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096), kind in 0usize..3) {
        let report = certify_disk(MemorySource(bytes), KINDS[kind], &SizeLimits::default());
        prop_assert!(!report.tests.is_empty());
    }

    #[test]
    fn random_footers_never_panic(mut footer in proptest::collection::vec(any::<u8>(), 512), cookie in any::<bool>(), pad in 0usize..2048) {
        if cookie {
            footer[..8].copy_from_slice(b"conectix");
        }
        let mut bytes = vec![0u8; pad];
        bytes.extend(footer);
        let report = certify_disk(MemorySource(bytes), KINDS[0], &small_limits());
        prop_assert!(!report.tests.is_empty());
    }

    #[test]
    fn half_valid_disks_never_panic(disk in half_valid_disk(), kind in 0usize..3) {
        let size = disk.len() as u64 - 512;
        let mut src = MemorySource(disk.clone());
        let _ = read_table(&mut src, size);
        let report = certify_disk(MemorySource(disk), KINDS[kind], &small_limits());
        prop_assert!(!report.tests.is_empty());
    }

    #[test]
    fn read_ahead_returns_the_source_bytes(
        len in 0usize..600_000,
        reads in proptest::collection::vec((any::<u64>(), 0usize..200_000), 1..40),
    ) {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 256) as u8).collect();
        let mut plain = MemorySource(data.clone());
        let mut cached = ReadAhead::new(MemorySource(data));
        for (offset, n) in reads {
            // Half the reads land inside the image, the rest anywhere (must error, not panic).
            let offset = if offset % 2 == 0 && len > 0 { offset % len as u64 } else { offset };
            let mut a = vec![0u8; n];
            let mut b = vec![0u8; n];
            let ra = plain.read_at(offset, &mut a);
            let rb = cached.read_at(offset, &mut b);
            prop_assert_eq!(ra.is_ok(), rb.is_ok());
            if ra.is_ok() {
                prop_assert_eq!(a, b);
            }
        }
    }
}
