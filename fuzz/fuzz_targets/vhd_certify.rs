//! Certification of any bytes as a disk image: footer, partition table and the Linux root
//! filesystem are read from hostile input; the tests always end in a report.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_vhd::{DiskKind, MemorySource, OsFamily, SizeLimits, certify_disk};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, image)) = data.split_first() else {
        return;
    };
    let kind = match selector % 3 {
        0 => DiskKind::Os {
            family: OsFamily::Linux,
        },
        1 => DiskKind::Os {
            family: OsFamily::Windows,
        },
        _ => DiskKind::Data { lun: 0 },
    };
    // Tiny images must be allowed, or every input stops at the size test.
    let limits = SizeLimits {
        min: 0,
        linux_os_min: 0,
        windows_os_min: 0,
        ..SizeLimits::default()
    };
    let report = certify_disk(MemorySource(image.to_vec()), kind, &limits);
    assert!(!report.tests.is_empty());
});
