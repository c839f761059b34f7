//! Provisioning: replicate certified disks to regions (work in progress).
