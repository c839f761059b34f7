//! The work of each automatic step, one file each. A step never imports another step: what
//! two steps share (the disks of a version, the product page's images) sits beside them.

pub mod certification;
pub mod live;
pub mod packaging;
pub mod preview;
pub mod provisioning;
pub mod validate;
