//! Field paths: where in the offer document a finding points, in the form the web app maps to
//! its inputs, e.g. `definition.plans[0].microsoft-azure-virtualmachines.vmImages["1.0.0"].osVhdUrl`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// An object key written plainly (`definition`, `microsoft-azure-marketplace.title`).
    Key(String),
    /// An array index (`[0]`).
    Index(usize),
    /// A map key written quoted (`["1.0.0"]`), used for disk versions.
    MapKey(String),
}

/// A path into the offer document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// The empty path (the whole document).
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// Builds a path from plain keys.
    pub fn keys(keys: &[&str]) -> Self {
        Self(keys.iter().map(|k| Segment::Key((*k).to_owned())).collect())
    }

    /// Appends a key.
    #[must_use]
    pub fn key(mut self, key: &str) -> Self {
        self.0.push(Segment::Key(key.to_owned()));
        self
    }

    /// Appends an index.
    #[must_use]
    pub fn index(mut self, index: usize) -> Self {
        self.0.push(Segment::Index(index));
        self
    }

    /// Appends a quoted map key.
    #[must_use]
    pub fn map_key(mut self, key: &str) -> Self {
        self.0.push(Segment::MapKey(key.to_owned()));
        self
    }

    /// The last plain key, used to look up the field's label.
    pub fn last_key(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            Segment::Key(k) => Some(k.as_str()),
            _ => None,
        })
    }

    /// The SKU index when the path lies inside `definition.plans[i]`.
    pub fn plan_index(&self) -> Option<usize> {
        match self.0.as_slice() {
            [Segment::Key(d), Segment::Key(p), Segment::Index(i), ..]
                if d == "definition" && p == "plans" =>
            {
                Some(*i)
            }
            _ => None,
        }
    }

    /// The disk version when the path lies inside a SKU's `vmImages["x.y.z"]`.
    pub fn disk_version(&self) -> Option<&str> {
        self.0.iter().find_map(|s| match s {
            Segment::MapKey(k) => Some(k.as_str()),
            _ => None,
        })
    }

    /// Whether `self` starts with `prefix`.
    pub fn starts_with(&self, prefix: &FieldPath) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// Parses the written form. Keys may contain dots, so a key runs until the next `.` that is
    /// followed by a known key start; we resolve this by greedy matching against the document's
    /// key prefixes (`microsoft-azure-…` keys contain exactly one dot).
    pub fn parse(text: &str) -> Option<Self> {
        let mut segs = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("[\"") {
                let end = r.find("\"]")?;
                segs.push(Segment::MapKey(r[..end].to_owned()));
                rest = &r[end + 2..];
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']')?;
                segs.push(Segment::Index(r[..end].parse().ok()?));
                rest = &r[end + 1..];
            } else {
                let r = rest.strip_prefix('.').unwrap_or(rest);
                let dotted = r.starts_with("microsoft-azure-");
                let stop = |from: usize| r[from..].find(['.', '[']).map(|i| i + from);
                let end = if dotted {
                    // `microsoft-azure-xxx.key`: the first dot belongs to the key.
                    let first = r.find('.')?;
                    stop(first + 1).unwrap_or(r.len())
                } else {
                    stop(0).unwrap_or(r.len())
                };
                if end == 0 {
                    return None;
                }
                segs.push(Segment::Key(r[..end].to_owned()));
                rest = &r[end..];
            }
        }
        Some(Self(segs))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if i == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::MapKey(k) => write!(f, "[\"{k}\"]")?,
            }
        }
        Ok(())
    }
}

impl Serialize for FieldPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FieldPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        FieldPath::parse(&text).ok_or_else(|| serde::de::Error::custom("not a field path"))
    }
}

/// A borrowed, allocation-free path under construction; it becomes a [`FieldPath`] only when a
/// rule fails, which keeps validation of large valid offers fast.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    parent: Option<&'a At<'a>>,
    seg: SegRef<'a>,
}

#[derive(Debug, Clone, Copy)]
enum SegRef<'a> {
    Root,
    Key(&'a str),
    Index(usize),
    MapKey(&'a str),
}

impl<'a> At<'a> {
    pub(crate) const ROOT: At<'static> = At {
        parent: None,
        seg: SegRef::Root,
    };

    pub(crate) fn key(&'a self, key: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            seg: SegRef::Key(key),
        }
    }

    pub(crate) fn index(&'a self, index: usize) -> At<'a> {
        At {
            parent: Some(self),
            seg: SegRef::Index(index),
        }
    }

    pub(crate) fn map_key(&'a self, key: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            seg: SegRef::MapKey(key),
        }
    }

    pub(crate) fn to_path(self) -> FieldPath {
        let mut segs = Vec::new();
        let mut cur = Some(&self);
        while let Some(at) = cur {
            match at.seg {
                SegRef::Root => {}
                SegRef::Key(k) => segs.push(Segment::Key(k.to_owned())),
                SegRef::Index(i) => segs.push(Segment::Index(i)),
                SegRef::MapKey(k) => segs.push(Segment::MapKey(k.to_owned())),
            }
            cur = at.parent;
        }
        segs.reverse();
        FieldPath(segs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_and_parse_back() {
        let path = FieldPath::keys(&["definition", "plans"])
            .index(0)
            .key("microsoft-azure-virtualmachines.vmImages")
            .map_key("1.0.0")
            .key("lunVhdDetails")
            .index(2)
            .key("lunVhdUrl");
        let text = path.to_string();
        assert_eq!(
            text,
            "definition.plans[0].microsoft-azure-virtualmachines.vmImages[\"1.0.0\"].lunVhdDetails[2].lunVhdUrl"
        );
        assert_eq!(FieldPath::parse(&text), Some(path.clone()));
        assert_eq!(path.plan_index(), Some(0));
        assert_eq!(path.disk_version(), Some("1.0.0"));
        assert_eq!(path.last_key(), Some("lunVhdUrl"));
        let offer = FieldPath::keys(&["definition", "offer", "microsoft-azure-marketplace.title"]);
        assert_eq!(FieldPath::parse(&offer.to_string()), Some(offer));
    }

    #[test]
    fn borrowed_paths_materialize() {
        let root = At::ROOT;
        let d = root.key("definition");
        let p = d.key("plans");
        let i = p.index(3);
        assert_eq!(i.to_path().to_string(), "definition.plans[3]");
    }
}
