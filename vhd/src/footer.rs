//! The VHD footer (the last 512 bytes of a fixed VHD): parsing and the format tests
//! (cookie, checksum, disk type, MiB alignment, file length, size limits).

use serde::{Deserialize, Serialize};

use crate::report::{TestId, TestResult};

/// Size of the footer.
pub const FOOTER_LEN: usize = 512;
const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// Disk size limits, in bytes of virtual size. Defaults follow Partner Center's certification
/// FAQ (vm-offer-fields.md §4.1): at least 20 MiB; Linux OS disks 1–1023 GiB; Windows OS disks
/// 30–250 GiB; data disks at most 1023 GiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SizeLimits {
    /// Smallest virtual size of any disk.
    pub min: u64,
    /// Smallest Linux OS disk.
    pub linux_os_min: u64,
    /// Largest Linux OS disk.
    pub linux_os_max: u64,
    /// Smallest Windows OS disk.
    pub windows_os_min: u64,
    /// Largest Windows OS disk.
    pub windows_os_max: u64,
    /// Largest data disk.
    pub data_max: u64,
}

impl Default for SizeLimits {
    fn default() -> Self {
        Self {
            min: 20 * MIB,
            linux_os_min: GIB,
            linux_os_max: 1023 * GIB,
            windows_os_min: 30 * GIB,
            windows_os_max: 250 * GIB,
            data_max: 1023 * GIB,
        }
    }
}

/// The fields of a footer the tests use (all big-endian on disk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footer {
    /// Bytes 0..8, `conectix` in a valid footer.
    pub cookie: [u8; 8],
    /// Virtual size of the disk.
    pub current_size: u64,
    /// 2 fixed, 3 dynamic, 4 differencing.
    pub disk_type: u32,
    /// The stored checksum.
    pub checksum: u32,
    /// The checksum computed over the footer with the checksum field taken as zero.
    pub computed_checksum: u32,
}

fn be_u32(b: &[u8; FOOTER_LEN], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Footer {
    /// Parses a footer; every 512-byte input gives a value (the tests judge it).
    pub fn parse(bytes: &[u8; FOOTER_LEN]) -> Self {
        let mut cookie = [0; 8];
        cookie.copy_from_slice(&bytes[0..8]);
        let mut size = [0; 8];
        size.copy_from_slice(&bytes[0x30..0x38]);
        Self {
            cookie,
            current_size: u64::from_be_bytes(size),
            disk_type: be_u32(bytes, 0x3C),
            checksum: be_u32(bytes, 0x40),
            computed_checksum: checksum(bytes),
        }
    }
}

/// One's complement of the byte sum, with the checksum field (0x40..0x44) taken as zero.
pub fn checksum(bytes: &[u8; FOOTER_LEN]) -> u32 {
    let sum = bytes
        .iter()
        .enumerate()
        .filter(|(i, _)| !(0x40..0x44).contains(i))
        .fold(0u32, |s, (_, &b)| s.wrapping_add(u32::from(b)));
    !sum
}

/// Builds a valid fixed-disk footer for `size` bytes (test fixtures and tools).
pub fn build_fixed_footer(size: u64) -> [u8; FOOTER_LEN] {
    let mut f = [0u8; FOOTER_LEN];
    f[0..8].copy_from_slice(b"conectix");
    f[0x08..0x0C].copy_from_slice(&2u32.to_be_bytes());
    f[0x0C..0x10].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    f[0x10..0x18].copy_from_slice(&u64::MAX.to_be_bytes());
    f[0x1C..0x20].copy_from_slice(b"ptl1");
    f[0x24..0x28].copy_from_slice(b"Wi2k");
    f[0x28..0x30].copy_from_slice(&size.to_be_bytes());
    f[0x30..0x38].copy_from_slice(&size.to_be_bytes());
    f[0x38..0x3C].copy_from_slice(&[0xFF, 0xFF, 16, 0xFF]);
    f[0x3C..0x40].copy_from_slice(&2u32.to_be_bytes());
    f[0x44..0x54].copy_from_slice(&[0x5a; 16]);
    let sum = checksum(&f);
    f[0x40..0x44].copy_from_slice(&sum.to_be_bytes());
    f
}

/// What the footer tests found.
#[derive(Debug)]
pub(crate) struct FooterOutcome {
    pub results: Vec<TestResult>,
    /// The footer can be trusted enough to look inside the disk.
    pub usable: bool,
}

fn human(bytes: u64) -> String {
    if bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Runs the footer tests for a file of `file_len` bytes whose last 512 bytes are `bytes`.
/// `(min, max)` are the size limits for this kind of disk.
pub(crate) fn check_footer(
    bytes: &[u8; FOOTER_LEN],
    file_len: u64,
    (min, max): (u64, u64),
) -> FooterOutcome {
    let f = Footer::parse(bytes);
    let mut results = Vec::new();
    let cookie_ok = &f.cookie == b"conectix";
    results.push(if cookie_ok {
        TestResult::pass(TestId::VhdCookie, "The footer cookie is conectix.")
    } else {
        TestResult::fail(
            TestId::VhdCookie,
            "The last 512 bytes are not a VHD footer (cookie is not 'conectix'). Upload a fixed VHD, e.g. \
             `qemu-img convert -f raw -O vpc -o subformat=fixed,force_size=on disk.raw disk.vhd`; VHDX and raw images are not accepted.",
        )
    });
    if !cookie_ok {
        return FooterOutcome {
            results,
            usable: false,
        };
    }
    let sum_ok = f.checksum == f.computed_checksum;
    results.push(if sum_ok {
        TestResult::pass(TestId::VhdChecksum, "The footer checksum is valid.")
    } else {
        TestResult::fail(
            TestId::VhdChecksum,
            format!(
                "The footer checksum is 0x{:08x} but the footer sums to 0x{:08x}: the file is damaged or was truncated. Upload it again.",
                f.checksum, f.computed_checksum
            ),
        )
    });
    let fixed = f.disk_type == 2;
    results.push(if fixed {
        TestResult::pass(TestId::VhdFixed, "The disk type is fixed.")
    } else {
        let kind = match f.disk_type {
            3 => "dynamic",
            4 => "differencing",
            _ => "unknown",
        };
        TestResult::fail(
            TestId::VhdFixed,
            format!(
                "The disk type is {} ({kind}); only fixed VHDs are accepted. Convert it with \
                 `qemu-img convert -O vpc -o subformat=fixed,force_size=on`.",
                f.disk_type
            ),
        )
    });
    let size = f.current_size;
    results.push(if size.is_multiple_of(MIB) {
        TestResult::pass(
            TestId::VhdMibAligned,
            format!("The virtual size is {}.", human(size)),
        )
    } else {
        TestResult::fail(
            TestId::VhdMibAligned,
            format!(
                "The virtual size is {size} bytes, not a whole number of MiB. Resize the raw disk to a multiple of 1 MiB \
                 (`qemu-img resize -f raw disk.raw <N>M`) and convert with force_size=on."
            ),
        )
    });
    let length_ok = size.checked_add(FOOTER_LEN as u64) == Some(file_len);
    results.push(if length_ok {
        TestResult::pass(
            TestId::VhdLength,
            "The file length is the virtual size plus the 512-byte footer.",
        )
    } else {
        TestResult::fail(
            TestId::VhdLength,
            format!(
                "The file is {file_len} bytes but the footer declares a virtual size of {size} bytes; a fixed VHD is \
                 exactly the virtual size plus 512. The upload may be truncated or the disk is not fixed."
            ),
        )
    });
    results.push(if (min..=max).contains(&size) {
        TestResult::pass(
            TestId::VhdSize,
            format!(
                "The virtual size {} is within {}–{}.",
                human(size),
                human(min),
                human(max)
            ),
        )
    } else {
        TestResult::fail(
            TestId::VhdSize,
            format!(
                "The virtual size {} is outside the allowed range {}–{} for this disk.",
                human(size),
                human(min),
                human(max)
            ),
        )
    });
    FooterOutcome {
        results,
        usable: sum_ok && fixed && length_ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Verdict;

    fn verdicts(o: &FooterOutcome) -> Vec<(TestId, Verdict)> {
        o.results.iter().map(|r| (r.id, r.verdict)).collect()
    }

    #[test]
    fn a_built_footer_passes() {
        let f = build_fixed_footer(64 * MIB);
        let o = check_footer(&f, 64 * MIB + 512, (MIB, GIB));
        assert!(o.usable);
        assert!(o.results.iter().all(|r| r.verdict == Verdict::Pass));
    }

    #[test]
    fn qemu_checksum_matches_the_reference() {
        // The qemu-img footer from certification-notes.md §4 (1 GiB, fixed).
        let mut f = [0u8; FOOTER_LEN];
        let head: [u8; 0x54] = [
            0x63, 0x6f, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x78, 0, 0, 0, 2, 0, 1, 0, 0, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x32, 0x99, 0x53, 0x06, 0x71, 0x65, 0x6d, 0x32, 0,
            5, 0, 3, 0x57, 0x69, 0x32, 0x6b, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0,
            0xff, 0xff, 0x10, 0xff, 0, 0, 0, 2, 0xff, 0xff, 0xe7, 0x02, 0x16, 0x61, 0x3d, 0x16,
            0x23, 0xca, 0x41, 0xc1, 0x91, 0x49, 0xa7, 0x71, 0xed, 0x31, 0x0c, 0x43,
        ];
        f[..0x54].copy_from_slice(&head);
        let p = Footer::parse(&f);
        assert_eq!(p.checksum, 0xffff_e702);
        assert_eq!(p.computed_checksum, 0xffff_e702);
        assert_eq!(p.current_size, GIB);
    }

    #[test]
    fn hostile_size_near_u64_max_fails_cleanly() {
        let mut f = build_fixed_footer(u64::MAX);
        f[0x40..0x44].copy_from_slice(&[0; 4]);
        let sum = checksum(&f);
        f[0x40..0x44].copy_from_slice(&sum.to_be_bytes());
        let o = check_footer(&f, 4096, (MIB, GIB));
        assert!(!o.usable);
        let v = verdicts(&o);
        assert!(v.contains(&(TestId::VhdLength, Verdict::Fail)));
        assert!(v.contains(&(TestId::VhdSize, Verdict::Fail)));
    }
}
