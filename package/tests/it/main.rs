//! Integration tests of `portal-package`: real HTTP servers on loopback, a real object store in
//! a temporary directory, and Azurite for Azure Table.

mod assets;
mod azure_table;
mod helpers;
mod leads;
mod page;
mod sanitize;
