//! Every required field and documented rule of a VM offer, run by the browser for instant
//! feedback and by the server to decide (`reference/vm-offer-fields.md` §1, `cpp-api.md` §5).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::document::{
    CrmLeadConfiguration, MarketplaceOffer, OfferDocument, Plan, VM_OFFER_TYPE, VmImage,
};
use crate::html;
use crate::i18n::{Lang, Problem, label};
use crate::ids::{
    DiskVersion, EmailAddress, OfferId, PhoneNumber, PublisherId, SkuId, SubscriptionId,
};
use crate::path::{At, FieldPath};

/// Text limits, in characters.
pub mod limits {
    /// Offer name.
    pub const NAME: usize = 50;
    /// Marketplace title.
    pub const TITLE: usize = 50;
    /// Marketplace summary.
    pub const SUMMARY: usize = 100;
    /// Marketplace long summary.
    pub const LONG_SUMMARY: usize = 256;
    /// Marketplace description.
    pub const DESCRIPTION: usize = 3000;
    /// SKU title.
    pub const SKU_TITLE: usize = 50;
    /// SKU summary.
    pub const SKU_SUMMARY: usize = 100;
    /// SKU description.
    pub const SKU_DESCRIPTION: usize = 3000;
    /// Contact names, link titles, screenshot names and other short texts.
    pub const SHORT_TEXT: usize = 100;
    /// Terms of use.
    pub const TERMS_OF_USE: usize = 10_000;
    /// Preview subscription ids.
    pub const MAX_PREVIEW_SUBSCRIPTIONS: usize = 100;
    /// Recommended VM sizes per SKU.
    pub const MAX_VM_SIZES: usize = 6;
    /// Disk versions per SKU.
    pub const MAX_DISK_VERSIONS: usize = 8;
    /// Data disks per disk version.
    pub const MAX_DATA_DISKS: usize = 15;
    /// SKUs per offer (a limit of this portal; CPP documents none).
    pub const MAX_SKUS: usize = 100;
    /// Categories.
    pub const MAX_CATEGORIES: usize = 5;
    /// Screenshots.
    pub const MAX_SCREENSHOTS: usize = 5;
    /// Useful links and videos.
    pub const MAX_LINKS: usize = 25;
}

/// One broken rule at one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where in the document.
    pub field: FieldPath,
    /// What is wrong.
    pub problem: Problem,
}

impl Finding {
    /// A finding at a path.
    pub fn new(field: FieldPath, problem: Problem) -> Self {
        Self { field, problem }
    }

    /// The stable code of the broken rule.
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }

    /// The field's label in a language.
    pub fn label(&self, lang: Lang) -> &str {
        label(self.field.last_key().unwrap_or(""), lang)
    }

    /// The message for the publisher in a language.
    pub fn message(&self, lang: Lang) -> String {
        self.problem.message(self.label(lang), lang)
    }

    /// The `{field, code, message}` form sent in error envelopes and step messages.
    pub fn detail(&self, lang: Lang) -> FindingDetail {
        FindingDetail {
            field: self.field.to_string(),
            code: self.code().to_owned(),
            message: self.message(lang),
        }
    }
}

/// A rendered finding: `{field, code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingDetail {
    /// Path of the field (empty when the problem is not tied to one field).
    pub field: String,
    /// Stable code of the broken rule.
    pub code: String,
    /// What to do, in the requested language.
    pub message: String,
}

/// Choices the operator makes that change what is acceptable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Accept `http://` image URLs to loopback hosts (tests and the offline demo).
    pub allow_loopback_http: bool,
}

/// Validates a whole offer document with the default options.
pub fn validate(doc: &OfferDocument) -> Vec<Finding> {
    validate_with(doc, Options::default())
}

/// Validates a whole offer document.
pub fn validate_with(doc: &OfferDocument, options: Options) -> Vec<Finding> {
    let mut v = Validator {
        findings: Vec::new(),
        options,
    };
    v.document(doc);
    v.findings
}

/// Collects findings while walking the document.
struct Validator {
    findings: Vec<Finding>,
    options: Options,
}

/// Lead destinations (`microsoft-azure-marketplace.leadDestination`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LeadDestination {
    /// No lead management.
    None,
    /// Azure Table storage.
    AzureTable,
    /// Dynamics CRM Online.
    DynamicsCrmOnline,
    /// An HTTPS endpoint receiving JSON.
    HttpsEndpoint,
    /// Marketo.
    Marketo,
    /// Salesforce Web-to-Lead.
    Salesforce,
    /// Azure Blob (no longer supported).
    AzureBlob,
}

impl LeadDestination {
    /// The destinations a publisher may choose, in the editor's order.
    pub const CHOICES: [LeadDestination; 6] = [
        LeadDestination::None,
        LeadDestination::AzureTable,
        LeadDestination::DynamicsCrmOnline,
        LeadDestination::HttpsEndpoint,
        LeadDestination::Marketo,
        LeadDestination::Salesforce,
    ];

    /// The JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadDestination::None => "None",
            LeadDestination::AzureTable => "AzureTable",
            LeadDestination::DynamicsCrmOnline => "DynamicsCrmOnline",
            LeadDestination::HttpsEndpoint => "HttpsEndpoint",
            LeadDestination::Marketo => "Marketo",
            LeadDestination::Salesforce => "Salesforce",
            LeadDestination::AzureBlob => "AzureBlob",
        }
    }

    /// Parses the JSON value; an absent or empty value means `None`.
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw.map(str::trim).unwrap_or("") {
            "" | "None" => Some(Self::None),
            "AzureTable" => Some(Self::AzureTable),
            "DynamicsCrmOnline" => Some(Self::DynamicsCrmOnline),
            "HttpsEndpoint" => Some(Self::HttpsEndpoint),
            "Marketo" => Some(Self::Marketo),
            "Salesforce" => Some(Self::Salesforce),
            "AzureBlob" => Some(Self::AzureBlob),
            _ => None,
        }
    }
}

/// Logos and other images with the exact pixel size each must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRequirement {
    /// Where the URL is.
    pub field: FieldPath,
    /// The image URL.
    pub url: String,
    /// Required width in pixels.
    pub width: u32,
    /// Required height in pixels.
    pub height: u32,
}

/// Pixel sizes of the marketplace images, keyed by their document key.
pub const IMAGE_SIZES: &[(&str, u32, u32)] = &[
    ("microsoft-azure-marketplace.smallLogo", 40, 40),
    ("microsoft-azure-marketplace.mediumLogo", 90, 90),
    ("microsoft-azure-marketplace.largeLogo", 115, 115),
    ("microsoft-azure-marketplace.wideLogo", 255, 115),
    ("microsoft-azure-marketplace.heroLogo", 815, 290),
];

/// Screenshots and video thumbnails: 533×324.
pub const SCREENSHOT_SIZE: (u32, u32) = (533, 324);

/// Every image of the offer that the server must fetch and measure.
pub fn image_requirements(doc: &OfferDocument) -> Vec<ImageRequirement> {
    let offer = &doc.definition.offer;
    let base = FieldPath::keys(&["definition", "offer"]);
    let logos = [
        &offer.small_logo,
        &offer.medium_logo,
        &offer.large_logo,
        &offer.wide_logo,
        &offer.hero_logo,
    ];
    let mut out = Vec::new();
    for (url, (key, w, h)) in logos.into_iter().zip(IMAGE_SIZES) {
        if let Some(url) = url.as_deref().filter(|u| !u.trim().is_empty()) {
            out.push(ImageRequirement {
                field: base.clone().key(key),
                url: url.to_owned(),
                width: *w,
                height: *h,
            });
        }
    }
    let (sw, sh) = SCREENSHOT_SIZE;
    for (i, s) in offer.screenshots.iter().flatten().enumerate() {
        if let Some(url) = s.url.as_deref().filter(|u| !u.trim().is_empty()) {
            let field = base
                .clone()
                .key("microsoft-azure-marketplace.screenshots")
                .index(i)
                .key("url");
            out.push(ImageRequirement {
                field,
                url: url.to_owned(),
                width: sw,
                height: sh,
            });
        }
    }
    for (i, v) in offer.videos.iter().flatten().enumerate() {
        if let Some(url) = v.thumbnail_url.as_deref().filter(|u| !u.trim().is_empty()) {
            let field = base
                .clone()
                .key("microsoft-azure-marketplace.videos")
                .index(i)
                .key("thumbnailUrl");
            out.push(ImageRequirement {
                field,
                url: url.to_owned(),
                width: sw,
                height: sh,
            });
        }
    }
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn filled(v: &Option<String>) -> Option<&str> {
    // `trim_start` stops at the first visible character: O(1) for filled fields.
    v.as_deref().filter(|s| !s.trim_start().is_empty())
}

/// Bytes allowed in a URL's authority: letters, digits and `.-:[]`.
const HOST_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b':' | b'[' | b']');
        b += 1;
    }
    table
};

/// How a URL fails the https rule, if it does. Runs on every disk URL of an offer (up to
/// 12,800 in the largest one), so it works on bytes, in loops the compiler can vectorize, and
/// never allocates.
pub fn check_https_url(raw: &str, allow_loopback_http: bool) -> Result<(), Problem> {
    let bytes = raw.as_bytes();
    let has_prefix = |p: &[u8]| bytes.len() >= p.len() && bytes[..p.len()].eq_ignore_ascii_case(p);
    let rest = if has_prefix(b"https://") {
        &bytes[8..]
    } else if has_prefix(b"http://") {
        let rest = &raw[7..];
        if allow_loopback_http && is_loopback_authority(rest) {
            rest.as_bytes()
        } else {
            return Err(Problem::NotHttps);
        }
    } else {
        return Err(Problem::InvalidUrl);
    };
    // No spaces or control characters anywhere (a fold, not `any`, so it vectorizes).
    let bad = if raw.is_ascii() {
        bytes
            .iter()
            .fold(false, |bad, &b| bad | (b <= b' ') | (b == 0x7f))
    } else {
        raw.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    // The authority: host, optional port or bracketed IPv6; no user info.
    let mut host_len = 0;
    let mut host_ok = true;
    for &b in rest {
        if matches!(b, b'/' | b'?' | b'#') {
            break;
        }
        host_ok &= HOST_BYTE[usize::from(b)];
        host_len += 1;
    }
    let host_ok = host_ok && host_len > 0;
    if host_ok && !bad {
        Ok(())
    } else {
        Err(Problem::InvalidUrl)
    }
}

fn is_loopback_authority(rest: &str) -> bool {
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host = if authority.starts_with('[') {
        authority.split(']').next().map(|h| &h[1..]).unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    is_loopback_host(host)
}

/// Whether a host is the local machine: `localhost` (any case), an address in `127.0.0.0/8`
/// or `::1`, bracketed or not. A name that merely starts with `127.` is not.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Validator {
    fn report(&mut self, at: At<'_>, problem: Problem) {
        self.findings.push(Finding::new(at.to_path(), problem));
    }

    /// A required text with a length limit.
    fn text(&mut self, at: At<'_>, value: &Option<String>, max: usize) -> Option<()> {
        match filled(value) {
            None => {
                self.report(at, Problem::Required);
                None
            }
            Some(s) => {
                let n = chars(s);
                if n > max {
                    self.report(at, Problem::TooLong { max, actual: n });
                }
                Some(())
            }
        }
    }

    fn url(&mut self, at: At<'_>, value: &Option<String>, required: bool) {
        match filled(value) {
            None if required => self.report(at, Problem::Required),
            None => {}
            Some(u) => {
                if let Err(p) = check_https_url(u, self.options.allow_loopback_http) {
                    self.report(at, p);
                }
            }
        }
    }

    fn parsed<T>(
        &mut self,
        at: At<'_>,
        value: &Option<String>,
        parse: impl Fn(&str) -> Result<T, crate::ids::ParseError>,
    ) {
        match filled(value) {
            None => self.report(at, Problem::Required),
            Some(s) => {
                if let Err(e) = parse(s.trim()) {
                    self.report(at, e.0);
                }
            }
        }
    }

    fn html(&mut self, at: At<'_>, value: &Option<String>) {
        if let Some(s) = filled(value)
            && let Err(p) = html::check_simple_html(s)
        {
            self.report(at, p);
        }
    }

    fn count(&mut self, at: At<'_>, n: usize, min: usize, max: usize) {
        if n < min {
            self.report(at, Problem::TooFew { min, actual: n });
        } else if n > max {
            self.report(at, Problem::TooMany { max, actual: n });
        }
    }

    fn choice(&mut self, at: At<'_>, value: &Option<String>, allowed: &[&str]) {
        match filled(value) {
            None => self.report(at, Problem::Required),
            Some(v) if !allowed.contains(&v) => {
                self.report(
                    at,
                    Problem::InvalidChoice {
                        allowed: allowed.join(", "),
                    },
                );
            }
            Some(_) => {}
        }
    }

    fn document(&mut self, doc: &OfferDocument) {
        let root = At::ROOT;
        if let Some(t) = doc.offer_type_id.as_deref()
            && t != VM_OFFER_TYPE
        {
            self.report(
                root.key("offerTypeId"),
                Problem::WrongOfferType {
                    expected: VM_OFFER_TYPE.into(),
                },
            );
        }
        if doc.publisher_id.is_some() {
            self.parsed(
                root.key("publisherId"),
                &doc.publisher_id,
                PublisherId::parse,
            );
        }
        self.parsed(root.key("id"), &doc.id, OfferId::parse);
        let def = root.key("definition");
        self.text(
            def.key("displayText"),
            &doc.definition.display_text,
            limits::NAME,
        );
        self.offer(def.key("offer"), &doc.definition.offer);
        self.plans(def.key("plans"), &doc.definition.plans);
    }

    fn offer(&mut self, at: At<'_>, o: &MarketplaceOffer) {
        let k = |key: &'static str| at.key(key);
        self.text(
            k("microsoft-azure-marketplace.title"),
            &o.title,
            limits::TITLE,
        );
        self.text(
            k("microsoft-azure-marketplace.summary"),
            &o.summary,
            limits::SUMMARY,
        );
        self.text(
            k("microsoft-azure-marketplace.longSummary"),
            &o.long_summary,
            limits::LONG_SUMMARY,
        );
        if self
            .text(
                k("microsoft-azure-marketplace.description"),
                &o.description,
                limits::DESCRIPTION,
            )
            .is_some()
        {
            self.html(k("microsoft-azure-marketplace.description"), &o.description);
        }
        self.parsed(
            k("microsoft-azure-marketplace.offerMarketingUrlIdentifier"),
            &o.marketing_url_identifier,
            OfferId::parse,
        );

        // Preview audience: 1–100 distinct subscription GUIDs.
        let subs_at = k("microsoft-azure-marketplace.allowedSubscriptions");
        let subs = o.allowed_subscriptions.as_deref().unwrap_or_default();
        self.count(subs_at, subs.len(), 1, limits::MAX_PREVIEW_SUBSCRIPTIONS);
        let mut seen = HashSet::new();
        for (i, s) in subs.iter().enumerate() {
            match SubscriptionId::parse(s.trim()) {
                Err(e) => self.report(subs_at.index(i), e.0),
                Ok(id) => {
                    if !seen.insert(id.normalized()) {
                        self.report(subs_at.index(i), Problem::Duplicate { value: s.clone() });
                    }
                }
            }
        }

        let links_at = k("microsoft-azure-marketplace.usefulLinks");
        let links = o.useful_links.as_deref().unwrap_or_default();
        self.count(links_at, links.len(), 0, limits::MAX_LINKS);
        for (i, l) in links.iter().enumerate() {
            let at = links_at.index(i);
            self.text(at.key("linkTitle"), &l.link_title, limits::SHORT_TEXT);
            self.url(at.key("linkUrl"), &l.link_url, true);
        }

        let cats_at = k("microsoft-azure-marketplace.categories");
        let cats = o.categories.as_deref().unwrap_or_default();
        self.count(cats_at, cats.len(), 1, limits::MAX_CATEGORIES);
        let mut seen = HashSet::new();
        for (i, c) in cats.iter().enumerate() {
            if c.trim().is_empty() {
                self.report(cats_at.index(i), Problem::Required);
            } else if !seen.insert(c.as_str()) {
                self.report(cats_at.index(i), Problem::Duplicate { value: c.clone() });
            }
        }

        // Logos: the four standard sizes are required, the hero image is optional.
        let logos = [
            (&o.small_logo, true),
            (&o.medium_logo, true),
            (&o.large_logo, true),
            (&o.wide_logo, true),
            (&o.hero_logo, false),
        ];
        for ((value, required), (key, _, _)) in logos.into_iter().zip(IMAGE_SIZES) {
            self.url(k(key), value, required);
        }
        let shots_at = k("microsoft-azure-marketplace.screenshots");
        let shots = o.screenshots.as_deref().unwrap_or_default();
        self.count(shots_at, shots.len(), 0, limits::MAX_SCREENSHOTS);
        for (i, s) in shots.iter().enumerate() {
            let at = shots_at.index(i);
            self.text(at.key("name"), &s.name, limits::SHORT_TEXT);
            self.url(at.key("url"), &s.url, true);
        }
        let videos_at = k("microsoft-azure-marketplace.videos");
        let videos = o.videos.as_deref().unwrap_or_default();
        self.count(videos_at, videos.len(), 0, limits::MAX_LINKS);
        for (i, v) in videos.iter().enumerate() {
            let at = videos_at.index(i);
            self.text(at.key("name"), &v.name, limits::SHORT_TEXT);
            self.url(at.key("link"), &v.link, true);
            self.url(at.key("thumbnailUrl"), &v.thumbnail_url, true);
        }

        self.leads(at, o);

        self.url(
            k("microsoft-azure-marketplace.privacyURL"),
            &o.privacy_url,
            true,
        );
        if self
            .text(
                k("microsoft-azure-marketplace.termsOfUse"),
                &o.terms_of_use,
                limits::TERMS_OF_USE,
            )
            .is_some()
        {
            self.html(k("microsoft-azure-marketplace.termsOfUse"), &o.terms_of_use);
        }

        // Support tab.
        self.text(
            k("microsoft-azure-marketplace.engineeringContactName"),
            &o.engineering_contact_name,
            limits::SHORT_TEXT,
        );
        self.parsed(
            k("microsoft-azure-marketplace.engineeringContactEmail"),
            &o.engineering_contact_email,
            EmailAddress::parse,
        );
        self.parsed(
            k("microsoft-azure-marketplace.engineeringContactPhone"),
            &o.engineering_contact_phone,
            PhoneNumber::parse,
        );
        self.text(
            k("microsoft-azure-marketplace.supportContactName"),
            &o.support_contact_name,
            limits::SHORT_TEXT,
        );
        self.parsed(
            k("microsoft-azure-marketplace.supportContactEmail"),
            &o.support_contact_email,
            EmailAddress::parse,
        );
        self.parsed(
            k("microsoft-azure-marketplace.supportContactPhone"),
            &o.support_contact_phone,
            PhoneNumber::parse,
        );
        self.url(
            k("microsoft-azure-marketplace.publicAzureSupportUrl"),
            &o.public_azure_support_url,
            false,
        );
        self.url(
            k("microsoft-azure-marketplace.fairfaxSupportUrl"),
            &o.fairfax_support_url,
            false,
        );

        if o.test_drive_enabled == Some(true) {
            self.text(
                k("microsoft-azure-marketplace-testdrive.description"),
                &o.test_drive_description,
                limits::DESCRIPTION,
            );
            self.html(
                k("microsoft-azure-marketplace-testdrive.description"),
                &o.test_drive_description,
            );
            self.url(
                k("microsoft-azure-marketplace-testdrive.userManual"),
                &o.test_drive_user_manual,
                true,
            );
            match o.test_drive_duration_hours {
                None => self.report(
                    k("microsoft-azure-marketplace-testdrive.durationHours"),
                    Problem::Required,
                ),
                Some(h) if !(1..=99).contains(&h) => {
                    self.report(
                        k("microsoft-azure-marketplace-testdrive.durationHours"),
                        Problem::OutOfRange { min: 1, max: 99 },
                    );
                }
                Some(_) => {}
            }
            self.url(
                k("microsoft-azure-marketplace-testdrive.armTemplate"),
                &o.test_drive_arm_template,
                true,
            );
            self.text(
                k("microsoft-azure-marketplace-testdrive.accessInformation"),
                &o.test_drive_access_information,
                limits::DESCRIPTION,
            );
        }
    }

    /// The chosen lead destination's configuration must be complete.
    fn leads(&mut self, at: At<'_>, o: &MarketplaceOffer) {
        let dest_at = at.key("microsoft-azure-marketplace.leadDestination");
        let Some(dest) = LeadDestination::parse(o.lead_destination.as_deref()) else {
            let allowed: Vec<&str> = LeadDestination::CHOICES
                .iter()
                .map(|d| d.as_str())
                .collect();
            self.report(
                dest_at,
                Problem::InvalidChoice {
                    allowed: allowed.join(", "),
                },
            );
            return;
        };
        match dest {
            LeadDestination::None => {}
            LeadDestination::AzureBlob => self.report(dest_at, Problem::UnsupportedLeadDestination),
            LeadDestination::AzureTable => {
                let cfg_at = at.key("microsoft-azure-marketplace.tableLeadConfiguration");
                let cs = o
                    .table_lead_configuration
                    .as_ref()
                    .and_then(|c| c.connection_string.clone());
                let cs_at = cfg_at.key("connectionString");
                match filled(&cs) {
                    None => self.report(cs_at, Problem::Required),
                    Some(s) => {
                        let has = |part: &str| s.split(';').any(|kv| kv.trim().starts_with(part));
                        let complete =
                            has("TableEndpoint=") || (has("AccountName=") && has("AccountKey="));
                        if !complete {
                            self.report(cs_at, Problem::InvalidChoice {
                                allowed: "DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net".into(),
                            });
                        }
                    }
                }
            }
            LeadDestination::DynamicsCrmOnline => {
                let cfg_at = at.key("microsoft-azure-marketplace.crmLeadConfiguration");
                let empty = CrmLeadConfiguration::default();
                let c = o.crm_lead_configuration.as_ref().unwrap_or(&empty);
                self.choice(
                    cfg_at.key("authentication"),
                    &c.authentication,
                    &["AzureAD", "Office365"],
                );
                match c.authentication.as_deref() {
                    Some("AzureAD") => {
                        self.parsed(
                            cfg_at.key("applicationId"),
                            &c.application_id,
                            SubscriptionId::parse,
                        );
                        self.parsed(
                            cfg_at.key("directoryId"),
                            &c.directory_id,
                            SubscriptionId::parse,
                        );
                        self.text(cfg_at.key("applicationKey"), &c.application_key, 1000);
                    }
                    Some("Office365") => {
                        self.url(cfg_at.key("url"), &c.url, true);
                        self.text(cfg_at.key("userName"), &c.user_name, 256);
                        self.text(cfg_at.key("password"), &c.password, 1000);
                    }
                    _ => {}
                }
            }
            LeadDestination::HttpsEndpoint => {
                let cfg_at = at.key("microsoft-azure-marketplace.httpsEndpointLeadConfiguration");
                let url = o
                    .https_endpoint_lead_configuration
                    .as_ref()
                    .and_then(|c| c.https_endpoint_url.clone());
                self.url(cfg_at.key("httpsEndpointUrl"), &url, true);
            }
            LeadDestination::Marketo => {
                let cfg_at = at.key("microsoft-azure-marketplace.marketoLeadConfiguration");
                let c = o.marketo_lead_configuration.clone().unwrap_or_default();
                self.text(cfg_at.key("munchkinId"), &c.munchkin_id, limits::SHORT_TEXT);
                match filled(&c.form_id) {
                    None => self.report(cfg_at.key("formId"), Problem::Required),
                    Some(f) if !f.chars().all(|ch| ch.is_ascii_digit()) => {
                        self.report(
                            cfg_at.key("formId"),
                            Problem::InvalidChoice {
                                allowed: "digits only, e.g. 1179".into(),
                            },
                        );
                    }
                    Some(_) => {}
                }
            }
            LeadDestination::Salesforce => {
                let cfg_at = at.key("microsoft-azure-marketplace.salesForceLeadConfiguration");
                let oid = o
                    .salesforce_lead_configuration
                    .as_ref()
                    .and_then(|c| c.object_identifier.clone());
                self.text(cfg_at.key("objectIdentifier"), &oid, 18);
            }
        }
    }

    fn plans(&mut self, at: At<'_>, plans: &[Plan]) {
        self.count(at, plans.len(), 1, limits::MAX_SKUS);
        let mut ids = HashSet::new();
        for (i, plan) in plans.iter().enumerate() {
            let p = at.index(i);
            self.parsed(p.key("planId"), &plan.plan_id, SkuId::parse);
            if let Some(id) = filled(&plan.plan_id)
                && !ids.insert(id)
            {
                self.report(
                    p.key("planId"),
                    Problem::Duplicate {
                        value: id.to_owned(),
                    },
                );
            }
            self.plan(p, plan);
        }
    }

    fn plan(&mut self, p: At<'_>, plan: &Plan) {
        self.text(
            p.key("microsoft-azure-virtualmachines.skuTitle"),
            &plan.sku_title,
            limits::SKU_TITLE,
        );
        self.text(
            p.key("microsoft-azure-virtualmachines.skuSummary"),
            &plan.sku_summary,
            limits::SKU_SUMMARY,
        );
        self.text(
            p.key("microsoft-azure-virtualmachines.skuDescription"),
            &plan.sku_description,
            limits::SKU_DESCRIPTION,
        );

        let cloud_at = p.key("microsoft-azure-virtualmachines.cloudAvailability");
        let clouds = plan.cloud_availability.as_deref().unwrap_or_default();
        self.count(cloud_at, clouds.len(), 1, 2);
        for (i, c) in clouds.iter().enumerate() {
            if !["PublicAzure", "AzureGovernment"].contains(&c.as_str()) {
                self.report(
                    cloud_at.index(i),
                    Problem::InvalidChoice {
                        allowed: "PublicAzure, AzureGovernment".into(),
                    },
                );
            }
        }

        let pricing_at = p.key("virtualMachinePricing");
        match &plan.pricing {
            None => self.report(pricing_at.key("isByol"), Problem::Required),
            Some(pr) => {
                if pr.is_byol.is_none() {
                    self.report(pricing_at.key("isByol"), Problem::Required);
                }
                if let Some(m) = pr.free_trial_duration_in_months
                    && ![0, 1, 3].contains(&m)
                {
                    self.report(
                        pricing_at.key("freeTrialDurationInMonths"),
                        Problem::InvalidChoice {
                            allowed: "0, 1, 3".into(),
                        },
                    );
                }
            }
        }

        self.choice(
            p.key("microsoft-azure-virtualmachines.operatingSystemFamily"),
            &plan.os_family,
            &["Windows", "Linux"],
        );
        self.text(
            p.key("microsoft-azure-virtualmachines.operationSystem"),
            &plan.os_friendly_name,
            limits::SHORT_TEXT,
        );

        let sizes_at = p.key("microsoft-azure-virtualmachines.recommendedVMSizes");
        let sizes = plan.recommended_vm_sizes.as_deref().unwrap_or_default();
        self.count(sizes_at, sizes.len(), 1, limits::MAX_VM_SIZES);
        let mut seen = HashSet::new();
        for (i, s) in sizes.iter().enumerate() {
            if s.trim().is_empty() {
                self.report(sizes_at.index(i), Problem::Required);
            } else if !seen.insert(s.as_str()) {
                self.report(sizes_at.index(i), Problem::Duplicate { value: s.clone() });
            }
        }

        let ports_at = p.key("microsoft-azure-virtualmachines.openPorts");
        for (i, port) in plan.open_ports.iter().flatten().enumerate() {
            let at = ports_at.index(i);
            match port.port {
                None => self.report(at.key("port"), Problem::Required),
                Some(n) if !(1..=65535).contains(&n) => {
                    self.report(at.key("port"), Problem::OutOfRange { min: 1, max: 65535 })
                }
                Some(_) => {}
            }
            self.choice(at.key("protocol"), &port.protocol, &["TCP", "UDP"]);
        }

        self.images(p.key("microsoft-azure-virtualmachines.vmImages"), plan);

        let regions_at = p.key("regions");
        let regions = plan.regions.as_deref().unwrap_or_default();
        self.count(regions_at, regions.len(), 1, 300);
        let mut seen = HashSet::new();
        for (i, r) in regions.iter().enumerate() {
            if r.len() != 2 || !r.chars().all(|c| c.is_ascii_uppercase()) {
                self.report(
                    regions_at.index(i),
                    Problem::InvalidRegion { value: r.clone() },
                );
            } else if !seen.insert(r.as_str()) {
                self.report(regions_at.index(i), Problem::Duplicate { value: r.clone() });
            }
        }
    }

    /// 1–8 semver disk versions, each with an OS disk and 0–15 data disks numbered 0, 1, 2 …,
    /// the same count in every version.
    fn images(&mut self, at: At<'_>, plan: &Plan) {
        let images = plan.vm_images.as_ref();
        let n = images.map_or(0, |m| m.len());
        self.count(at, n, 1, limits::MAX_DISK_VERSIONS);
        let Some(images) = images else { return };
        // The reference count is the lowest version's: later versions must match it.
        let mut versions: Vec<(Option<DiskVersion>, &String, &VmImage)> = images
            .iter()
            .map(|(k, v)| (DiskVersion::parse(k).ok(), k, v))
            .collect();
        versions.sort_by_key(|a| a.0);
        let reference = versions
            .iter()
            .find(|(v, _, _)| v.is_some())
            .map(|(_, k, img)| {
                (
                    (*k).clone(),
                    img.lun_vhd_details.as_ref().map_or(0, Vec::len),
                )
            });
        for (key, image) in images {
            let v = at.map_key(key);
            if let Err(e) = DiskVersion::parse(key) {
                self.report(v, e.0);
            }
            self.url(v.key("osVhdUrl"), &image.os_vhd_url, true);
            let disks_at = v.key("lunVhdDetails");
            let disks = image.lun_vhd_details.as_deref().unwrap_or_default();
            self.count(disks_at, disks.len(), 0, limits::MAX_DATA_DISKS);
            if let Some((ref_key, expected)) = &reference
                && ref_key != key
                && disks.len() != *expected
            {
                self.report(
                    disks_at,
                    Problem::DataDiskCountMismatch {
                        expected: *expected,
                        actual: disks.len(),
                        reference: ref_key.clone(),
                    },
                );
            }
            for (i, d) in disks.iter().enumerate() {
                let disk_at = disks_at.index(i);
                let expected = u32::try_from(i).unwrap_or(u32::MAX);
                match d.lun {
                    None => self.report(disk_at.key("lun"), Problem::Required),
                    Some(l) if l != expected => {
                        self.report(disk_at.key("lun"), Problem::LunOutOfOrder { expected })
                    }
                    Some(_) => {}
                }
                self.url(disk_at.key("lunVhdUrl"), &d.lun_vhd_url, true);
            }
        }
    }
}

/// Whether a field must be filled in, by its document key (the last key of its path, e.g.
/// `microsoft-azure-marketplace.title` or `osVhdUrl`). Derived from the rules themselves — by
/// validating skeleton documents that contain every kind of entry but no values — so the
/// editor's required markers can never disagree with validation.
pub fn is_required(key: &str) -> bool {
    static REQUIRED: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    REQUIRED.get_or_init(required_keys).contains(key)
}

fn required_keys() -> HashSet<String> {
    use crate::document::{
        CrmLeadConfiguration, DataDisk, OpenPort, Screenshot, UsefulLink, Video,
        VirtualMachinePricing,
    };
    let mut skeleton = OfferDocument::default();
    let offer = &mut skeleton.definition.offer;
    offer.test_drive_enabled = Some(true);
    offer.useful_links = Some(vec![UsefulLink::default()]);
    offer.screenshots = Some(vec![Screenshot::default()]);
    offer.videos = Some(vec![Video::default()]);
    let image = VmImage {
        lun_vhd_details: Some(vec![DataDisk::default()]),
        ..Default::default()
    };
    skeleton.definition.plans = vec![Plan {
        pricing: Some(VirtualMachinePricing::default()),
        open_ports: Some(vec![OpenPort::default()]),
        vm_images: Some([("1.0.0".to_owned(), image)].into()),
        ..Default::default()
    }];
    let mut variants = Vec::new();
    for dest in LeadDestination::CHOICES {
        for auth in ["AzureAD", "Office365"] {
            let mut doc = skeleton.clone();
            doc.definition.offer.lead_destination = Some(dest.as_str().to_owned());
            doc.definition.offer.crm_lead_configuration = Some(CrmLeadConfiguration {
                authentication: Some(auth.to_owned()),
                ..Default::default()
            });
            variants.push(doc);
        }
    }
    variants
        .iter()
        .flat_map(validate)
        .filter(|f| f.problem == Problem::Required)
        .filter_map(|f| f.field.last_key().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_the_local_machine_only() {
        for host in [
            "127.0.0.1",
            "127.1.2.3",
            "localhost",
            "LocalHost",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "portal.contoso.com",
            "10.0.0.1",
            "127.example.com",
            "localhost.evil",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
        // The https rule's loopback exception uses the same test.
        assert!(check_https_url("http://127.0.0.1:8080/a.png", true).is_ok());
        assert_eq!(
            check_https_url("http://127.example.com/a.png", true),
            Err(Problem::NotHttps)
        );
    }

    #[test]
    fn required_markers_follow_the_rules() {
        for key in [
            "id",
            "displayText",
            "microsoft-azure-marketplace.title",
            "microsoft-azure-marketplace.smallLogo",
            "planId",
            "osVhdUrl",
            "lunVhdUrl",
            "isByol",
            "connectionString",
            "password",
            "microsoft-azure-marketplace.supportContactPhone",
        ] {
            assert!(is_required(key), "{key}");
        }
        for key in [
            "microsoft-azure-marketplace.heroLogo",
            "microsoft-azure-marketplace.publicAzureSupportUrl",
            "windowsOSType",
        ] {
            assert!(!is_required(key), "{key}");
        }
    }

    #[test]
    fn https_urls() {
        assert_eq!(
            check_https_url(
                "https://a.blob.core.windows.net/vhds/x.vhd?sp=rl&st=1",
                false
            ),
            Ok(())
        );
        assert_eq!(check_https_url("HTTPS://A.COM", false), Ok(()));
        assert_eq!(check_https_url("https://[::1]:8443/x", false), Ok(()));
        assert_eq!(
            check_https_url("http://a.com/x", false),
            Err(Problem::NotHttps)
        );
        assert_eq!(check_https_url("http://127.0.0.1:8080/x", true), Ok(()));
        assert_eq!(
            check_https_url("http://10.0.0.1/x", true),
            Err(Problem::NotHttps)
        );
        for bad in [
            "https://",
            "https:///x",
            "https://us er@a.com",
            "https://a.com/x y",
            "https://u@a.com",
            "ftp://a",
            "a.com",
            "https://a.com/\u{3000}",
        ] {
            assert_eq!(
                check_https_url(bad, false),
                Err(Problem::InvalidUrl),
                "{bad}"
            );
        }
    }
}
