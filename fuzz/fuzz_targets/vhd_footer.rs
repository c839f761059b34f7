//! The VHD footer: any 512 bytes parse to a value, and the checksum agrees with a footer
//! built for the size it declares.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_vhd::footer::{FOOTER_LEN, Footer, build_fixed_footer};

fuzz_target!(|data: &[u8]| {
    let Ok(bytes) = <[u8; FOOTER_LEN]>::try_from(data) else {
        return;
    };
    let footer = Footer::parse(&bytes);
    // A footer written for the declared size is a valid fixed footer of that size.
    let rebuilt = Footer::parse(&build_fixed_footer(footer.current_size));
    assert_eq!(rebuilt.current_size, footer.current_size);
    assert_eq!(rebuilt.checksum, rebuilt.computed_checksum);
    assert_eq!(rebuilt.disk_type, 2);
});
