//! [`Region`]s and the operator's `--regions` spec: `name=URL,name=URL,…`, each URL a local
//! directory (`file:///abs/dir` or a plain path), `s3://…`, `az://…`/`azure://…` or `gs://…`.

use std::fmt;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use url::Url;

/// One place every certified disk is copied to.
#[derive(Clone)]
pub struct Region {
    /// The region's name (`[a-z0-9-]{1,40}`), shown to users and in progress.
    pub name: String,
    /// Where its objects go.
    pub store: Arc<dyn ObjectStore>,
    /// The store's base URL (`file:///…`, `s3://bucket/prefix`, …): locations of objects are
    /// this plus `/` and the key.
    pub url: String,
    /// For a local directory: its canonical path, to remove upload leftovers of a killed
    /// process (`LocalFileSystem` stages uploads as `<file>#<n>` next to the file).
    local_dir: Option<PathBuf>,
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Region")
            .field("name", &self.name)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Why a region spec was refused; the text names the offending part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionSpecError {
    /// No region at all.
    #[error("no region given: expected name=URL[,name=URL…]")]
    Empty,
    /// An item without `=`.
    #[error("region item {item:?} has no '=': expected name=URL")]
    MissingEquals {
        /// The item.
        item: String,
    },
    /// A name outside `[a-z0-9-]{1,40}`.
    #[error("region name {name:?} is invalid: use 1 to 40 of a-z, 0-9 and '-'")]
    BadName {
        /// The name.
        name: String,
    },
    /// The same name twice.
    #[error("region name {name:?} is given twice")]
    Duplicate {
        /// The name.
        name: String,
    },
    /// The URL cannot be used.
    #[error("region {name}: URL {url:?} is invalid: {reason}")]
    BadUrl {
        /// The region.
        name: String,
        /// The URL as given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The local directory cannot be created or opened.
    #[error("region {name}: directory {path} cannot be used: {reason}")]
    LocalDir {
        /// The region.
        name: String,
        /// The directory.
        path: String,
        /// Why.
        reason: String,
    },
}

fn check_name(name: &str) -> Result<(), RegionSpecError> {
    let ok = (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(RegionSpecError::BadName {
            name: name.to_owned(),
        })
    }
}

impl Region {
    /// A region on any store; `url` is only used to report locations.
    pub fn new(
        name: &str,
        store: Arc<dyn ObjectStore>,
        url: &str,
    ) -> Result<Self, RegionSpecError> {
        check_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            store,
            url: url.trim_end_matches('/').to_owned(),
            local_dir: None,
        })
    }

    /// A region in a local directory, created if missing.
    pub fn local(name: &str, dir: &FsPath) -> Result<Self, RegionSpecError> {
        check_name(name)?;
        let fail = |reason: String| RegionSpecError::LocalDir {
            name: name.to_owned(),
            path: dir.display().to_string(),
            reason,
        };
        std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
        let dir = dir.canonicalize().map_err(|e| fail(e.to_string()))?;
        let store = LocalFileSystem::new_with_prefix(&dir).map_err(|e| fail(e.to_string()))?;
        let url = Url::from_directory_path(&dir)
            .map_err(|()| fail("not an absolute path".into()))?
            .to_string();
        Ok(Self {
            name: name.to_owned(),
            store: Arc::new(store),
            url: url.trim_end_matches('/').to_owned(),
            local_dir: Some(dir),
        })
    }

    /// Where the object `key` is in this region (the region's URL, `/`, the key).
    pub fn location(&self, key: &str) -> String {
        format!("{}/{key}", self.url)
    }

    /// The local file of `key`, for a local region.
    pub(crate) fn local_file(&self, key: &Path) -> Option<PathBuf> {
        let dir = self.local_dir.as_ref()?;
        Some(
            key.parts()
                .fold(dir.clone(), |p, part| p.join(part.as_ref())),
        )
    }
}

/// Parses the operator's spec: comma-separated `name=URL` items. A URL is `file:///abs/dir` or
/// a plain path (a local directory, created if missing), or `s3://bucket[/prefix]`,
/// `az://container[/prefix]` / `azure://…` / an `https://…blob.core.windows.net/…` URL, or
/// `gs://bucket[/prefix]`, configured from the environment (`AWS_*`, `AZURE_*`, `GOOGLE_*`).
pub fn parse_regions(spec: &str) -> Result<Vec<Region>, RegionSpecError> {
    let mut regions: Vec<Region> = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, url) = item
            .split_once('=')
            .ok_or_else(|| RegionSpecError::MissingEquals {
                item: item.to_owned(),
            })?;
        let (name, url) = (name.trim(), url.trim());
        check_name(name)?;
        if regions.iter().any(|r| r.name == name) {
            return Err(RegionSpecError::Duplicate {
                name: name.to_owned(),
            });
        }
        regions.push(parse_region(name, url)?);
    }
    if regions.is_empty() {
        return Err(RegionSpecError::Empty);
    }
    Ok(regions)
}

fn parse_region(name: &str, raw: &str) -> Result<Region, RegionSpecError> {
    let bad = |reason: String| RegionSpecError::BadUrl {
        name: name.to_owned(),
        url: raw.to_owned(),
        reason,
    };
    if raw.is_empty() {
        return Err(bad("empty".into()));
    }
    if !raw.contains("://") {
        return Region::local(name, FsPath::new(raw));
    }
    let url = Url::parse(raw).map_err(|e| bad(e.to_string()))?;
    match url.scheme() {
        "file" => {
            if url
                .host_str()
                .is_some_and(|h| !h.is_empty() && h != "localhost")
            {
                return Err(bad("a file:// URL cannot name a host".into()));
            }
            let dir = url
                .to_file_path()
                .map_err(|()| bad("not an absolute path".into()))?;
            Region::local(name, &dir)
        }
        "s3" | "s3a" | "az" | "azure" | "abfs" | "abfss" | "adl" | "gs" => remote(name, &url, bad),
        "https" if url.host_str().is_some_and(is_cloud_host) => remote(name, &url, bad),
        other => Err(bad(format!(
            "scheme {other}:// is not supported; use a directory, file://, s3://, az://, azure:// or gs://"
        ))),
    }
}

fn is_cloud_host(host: &str) -> bool {
    [
        ".blob.core.windows.net",
        ".dfs.core.windows.net",
        ".amazonaws.com",
        ".r2.cloudflarestorage.com",
    ]
    .iter()
    .any(|s| host.ends_with(s))
        || host == "storage.googleapis.com"
}

fn remote(
    name: &str,
    url: &Url,
    bad: impl Fn(String) -> RegionSpecError,
) -> Result<Region, RegionSpecError> {
    // The builders read their own settings from options named like their environment
    // variables in lower case; only those prefixes, so an unrelated variable cannot change
    // a store setting.
    let options = std::env::vars().filter_map(|(k, v)| {
        let k = k.to_ascii_lowercase();
        ["aws_", "azure_", "google_"]
            .iter()
            .any(|p| k.starts_with(p))
            .then_some((k, v))
    });
    let (store, prefix) =
        object_store::parse_url_opts(url, options).map_err(|e| bad(crate::error::chain(&e)))?;
    let store: Arc<dyn ObjectStore> = if prefix.as_ref().is_empty() {
        Arc::from(store)
    } else {
        Arc::new(PrefixStore::new(store, prefix))
    };
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    Region::new(name, store, shown.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_regions_from_paths_and_file_urls() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("nested/b");
        let spec = format!("west-1={}, east=file://{}", a.display(), b.display());
        let regions = parse_regions(&spec).unwrap();
        assert_eq!(regions.len(), 2);
        assert_eq!(regions[0].name, "west-1");
        assert!(a.is_dir() && b.is_dir(), "directories are created");
        assert_eq!(
            regions[1].location("x/os.vhd"),
            format!("file://{}/x/os.vhd", b.canonicalize().unwrap().display())
        );
    }

    #[test]
    fn bad_specs_name_the_bad_part() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        assert_eq!(parse_regions(" , ").unwrap_err(), RegionSpecError::Empty);
        assert!(matches!(
            parse_regions(&format!("west{d}")).unwrap_err(),
            RegionSpecError::MissingEquals { item } if item.starts_with("west")
        ));
        for name in ["", "West", "a_b", &"x".repeat(41)] {
            let err = parse_regions(&format!("{name}={d}")).unwrap_err();
            assert_eq!(
                err,
                RegionSpecError::BadName {
                    name: name.to_owned()
                }
            );
        }
        assert_eq!(
            parse_regions(&format!("a={d}/1,a={d}/2")).unwrap_err(),
            RegionSpecError::Duplicate { name: "a".into() }
        );
        let err = parse_regions("a=ftp://host/dir").unwrap_err();
        assert!(matches!(&err, RegionSpecError::BadUrl { name, .. } if name == "a"));
        assert!(err.to_string().contains("ftp://"), "{err}");
        assert!(matches!(
            parse_regions("a=file://server/share").unwrap_err(),
            RegionSpecError::BadUrl { .. }
        ));
        assert!(matches!(
            parse_regions("a=").unwrap_err(),
            RegionSpecError::BadUrl { .. }
        ));
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        assert!(matches!(
            parse_regions(&format!("a={}", file.display())).unwrap_err(),
            RegionSpecError::LocalDir { .. }
        ));
    }

    #[test]
    fn cloud_urls_build_stores_without_contacting_them() {
        let regions = parse_regions("s3-eu=s3://bucket/images,gcs=gs://bucket").unwrap();
        assert_eq!(regions[0].url, "s3://bucket/images");
        assert_eq!(regions[0].location("k"), "s3://bucket/images/k");
        assert_eq!(regions[1].url, "gs://bucket");
    }
}
