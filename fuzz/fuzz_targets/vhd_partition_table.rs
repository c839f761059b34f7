//! The partition table (MBR, GPT protective MBR, extended partitions) of any bytes: an answer
//! or an error, never a panic, a hang or an allocation the size of the claimed disk.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_vhd::MemorySource;
use portal_vhd::partition::read_table;

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let mut source = MemorySource(data.to_vec());
    let _ = read_table(&mut source, len);
});
