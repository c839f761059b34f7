//! The Virtual Machine offer document, exactly in the Cloud Partner Portal JSON shape.
//!
//! Every modelled key is optional text or a plain value so that a draft can hold anything the
//! publisher typed; validation decides what is acceptable. Every object keeps the keys we do
//! not model in `extra`, so a document read and written back is the same JSON: CPP clients send
//! keys we do not know, and dropping them would lose their data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Keys this portal does not model, kept verbatim.
pub type Extra = Map<String, Value>;

/// The only offer type this portal publishes.
pub const VM_OFFER_TYPE: &str = "microsoft-azure-virtualmachines";

/// A whole offer (`GET/PUT /api/publishers/{p}/offers/{o}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferDocument {
    /// Publisher namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher_id: Option<String>,
    /// Always `microsoft-azure-virtualmachines` here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_type_id: Option<String>,
    /// Offer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Read-only: the offer's version, raised by every publish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Read-only: the offer status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The entity tag of the stored document.
    #[serde(rename = "eTag", default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Read-only: UTC time of the last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_time: Option<String>,
    /// Names, texts, marketplace settings and SKUs.
    #[serde(default)]
    pub definition: Definition,
    /// Keys we do not model (for example `offerTypeVersions`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `definition`: the offer's content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    /// The offer's name ("Name*" in the Offer Settings tab).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_text: Option<String>,
    /// Marketplace, lead, legal, support and test drive settings.
    #[serde(default)]
    pub offer: MarketplaceOffer,
    /// The SKUs.
    #[serde(default)]
    pub plans: Vec<Plan>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A link shown on the product page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsefulLink {
    /// Link text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_title: Option<String>,
    /// Link target (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_url: Option<String>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A screenshot (533×324 PNG).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Screenshot {
    /// Caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A marketing video (YouTube or Vimeo, with a 533×324 thumbnail).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// YouTube or Vimeo link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Thumbnail image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Azure Table lead destination.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableLeadConfiguration {
    /// `DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=…` (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_string: Option<String>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Dynamics CRM Online lead destination: Azure AD application or Office 365 user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrmLeadConfiguration {
    /// `AzureAD` or `Office365`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<String>,
    /// CRM instance URL, e.g. `https://contoso.crm4.dynamics.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Azure AD application id (GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// Azure AD directory id (GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_id: Option<String>,
    /// Azure AD application key (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_key: Option<String>,
    /// Office 365 user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Office 365 password (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// HTTPS endpoint lead destination.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpsEndpointLeadConfiguration {
    /// The URL leads are POSTed to as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_endpoint_url: Option<String>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Marketo lead destination.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketoLeadConfiguration {
    /// Server id (no longer needed since 12-2022).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
    /// Munchkin id, e.g. `123-PQR-789`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub munchkin_id: Option<String>,
    /// Form id, e.g. `1179`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_id: Option<String>,
    /// API client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// API client secret (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Salesforce lead destination.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesforceLeadConfiguration {
    /// The Web-to-Lead organisation id (OID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_identifier: Option<String>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `definition.offer`: every `microsoft-azure-marketplace.*` key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MarketplaceOffer {
    /// Whether the optional Test Drive is enabled.
    #[serde(
        rename = "microsoft-azure-marketplace-testdrive.enabled",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub test_drive_enabled: Option<bool>,
    /// Test drive description (basic HTML).
    #[serde(
        rename = "microsoft-azure-marketplace-testdrive.description",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub test_drive_description: Option<String>,
    /// Test drive user manual (PDF URL).
    #[serde(
        rename = "microsoft-azure-marketplace-testdrive.userManual",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub test_drive_user_manual: Option<String>,
    /// Test drive maximum session length in hours.
    #[serde(
        rename = "microsoft-azure-marketplace-testdrive.durationHours",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub test_drive_duration_hours: Option<u32>,
    /// Test drive ARM template URL.
    #[serde(
        rename = "microsoft-azure-marketplace-testdrive.armTemplate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub test_drive_arm_template: Option<String>,
    /// Test drive access information (text or basic HTML).
    #[serde(
        rename = "microsoft-azure-marketplace-testdrive.accessInformation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub test_drive_access_information: Option<String>,
    /// Test drive videos.
    #[serde(
        rename = "microsoft-azure-marketplace-testdrive.videos",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub test_drive_videos: Option<Vec<Video>>,
    /// Title (max 50).
    #[serde(
        rename = "microsoft-azure-marketplace.title",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub title: Option<String>,
    /// Summary (max 100).
    #[serde(
        rename = "microsoft-azure-marketplace.summary",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<String>,
    /// Long summary (max 256).
    #[serde(
        rename = "microsoft-azure-marketplace.longSummary",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub long_summary: Option<String>,
    /// Description, simple HTML (max 3000).
    #[serde(
        rename = "microsoft-azure-marketplace.description",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    /// Marketing URL identifier (max 50).
    #[serde(
        rename = "microsoft-azure-marketplace.offerMarketingUrlIdentifier",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub marketing_url_identifier: Option<String>,
    /// Preview subscription ids (1–100 GUIDs).
    #[serde(
        rename = "microsoft-azure-marketplace.allowedSubscriptions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_subscriptions: Option<Vec<String>>,
    /// Useful links.
    #[serde(
        rename = "microsoft-azure-marketplace.usefulLinks",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub useful_links: Option<Vec<UsefulLink>>,
    /// Category keys (1–5).
    #[serde(
        rename = "microsoft-azure-marketplace.categories",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub categories: Option<Vec<String>>,
    /// Small logo, 40×40 PNG.
    #[serde(
        rename = "microsoft-azure-marketplace.smallLogo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub small_logo: Option<String>,
    /// Medium logo, 90×90 PNG.
    #[serde(
        rename = "microsoft-azure-marketplace.mediumLogo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub medium_logo: Option<String>,
    /// Large logo, 115×115 PNG.
    #[serde(
        rename = "microsoft-azure-marketplace.largeLogo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub large_logo: Option<String>,
    /// Wide logo, 255×115 PNG.
    #[serde(
        rename = "microsoft-azure-marketplace.wideLogo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub wide_logo: Option<String>,
    /// Hero image, optional, 815×290 PNG.
    #[serde(
        rename = "microsoft-azure-marketplace.heroLogo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub hero_logo: Option<String>,
    /// Screenshots (max 5, 533×324).
    #[serde(
        rename = "microsoft-azure-marketplace.screenshots",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub screenshots: Option<Vec<Screenshot>>,
    /// Videos.
    #[serde(
        rename = "microsoft-azure-marketplace.videos",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub videos: Option<Vec<Video>>,
    /// `None`, `AzureTable`, `DynamicsCrmOnline`, `HttpsEndpoint`, `Marketo` or `Salesforce`.
    #[serde(
        rename = "microsoft-azure-marketplace.leadDestination",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub lead_destination: Option<String>,
    /// Azure Table settings.
    #[serde(
        rename = "microsoft-azure-marketplace.tableLeadConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub table_lead_configuration: Option<TableLeadConfiguration>,
    /// Azure Blob settings (no longer supported; kept for old documents).
    #[serde(
        rename = "microsoft-azure-marketplace.blobLeadConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub blob_lead_configuration: Option<Extra>,
    /// Salesforce settings.
    #[serde(
        rename = "microsoft-azure-marketplace.salesForceLeadConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub salesforce_lead_configuration: Option<SalesforceLeadConfiguration>,
    /// Dynamics CRM Online settings.
    #[serde(
        rename = "microsoft-azure-marketplace.crmLeadConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub crm_lead_configuration: Option<CrmLeadConfiguration>,
    /// HTTPS endpoint settings.
    #[serde(
        rename = "microsoft-azure-marketplace.httpsEndpointLeadConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub https_endpoint_lead_configuration: Option<HttpsEndpointLeadConfiguration>,
    /// Marketo settings.
    #[serde(
        rename = "microsoft-azure-marketplace.marketoLeadConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub marketo_lead_configuration: Option<MarketoLeadConfiguration>,
    /// Privacy policy URL.
    #[serde(
        rename = "microsoft-azure-marketplace.privacyURL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub privacy_url: Option<String>,
    /// Terms of use (text or simple HTML).
    #[serde(
        rename = "microsoft-azure-marketplace.termsOfUse",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub terms_of_use: Option<String>,
    /// Engineering contact name.
    #[serde(
        rename = "microsoft-azure-marketplace.engineeringContactName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub engineering_contact_name: Option<String>,
    /// Engineering contact e-mail.
    #[serde(
        rename = "microsoft-azure-marketplace.engineeringContactEmail",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub engineering_contact_email: Option<String>,
    /// Engineering contact phone.
    #[serde(
        rename = "microsoft-azure-marketplace.engineeringContactPhone",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub engineering_contact_phone: Option<String>,
    /// Customer support contact name.
    #[serde(
        rename = "microsoft-azure-marketplace.supportContactName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub support_contact_name: Option<String>,
    /// Customer support e-mail.
    #[serde(
        rename = "microsoft-azure-marketplace.supportContactEmail",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub support_contact_email: Option<String>,
    /// Customer support phone.
    #[serde(
        rename = "microsoft-azure-marketplace.supportContactPhone",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub support_contact_phone: Option<String>,
    /// Public Azure support URL (optional).
    #[serde(
        rename = "microsoft-azure-marketplace.publicAzureSupportUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub public_azure_support_url: Option<String>,
    /// Azure Government support URL (optional).
    #[serde(
        rename = "microsoft-azure-marketplace.fairfaxSupportUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub fairfax_support_url: Option<String>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `virtualMachinePricing`: the license model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualMachinePricing {
    /// Bring your own license (true) or usage-based billing (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_byol: Option<bool>,
    /// Free trial months for usage-based SKUs: 0, 1 or 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_trial_duration_in_months: Option<u32>,
    /// Per-core prices (`{currency, single}` or `{currency, individually:{…}}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_multiplier: Option<Value>,
    /// Keys we do not model (`spreadSheetPricing`, `regionPrices`…).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A port opened at deployment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenPort {
    /// Friendly name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `TCP` or `UDP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Port number, 1–65535.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A data disk of a disk version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataDisk {
    /// Logical unit number: 0, 1, 2 … in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lun: Option<u32>,
    /// The data disk's VHD SAS URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lun_vhd_url: Option<String>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One disk version of a SKU: the OS disk and its data disks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VmImage {
    /// The OS disk's VHD SAS URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_vhd_url: Option<String>,
    /// Data disks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lun_vhd_details: Option<Vec<DataDisk>>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A SKU (`definition.plans[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// SKU id.
    #[serde(rename = "planId", default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    /// SKU title (max 50).
    #[serde(
        rename = "microsoft-azure-virtualmachines.skuTitle",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sku_title: Option<String>,
    /// SKU summary (max 100).
    #[serde(
        rename = "microsoft-azure-virtualmachines.skuSummary",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sku_summary: Option<String>,
    /// SKU description (max 3000).
    #[serde(
        rename = "microsoft-azure-virtualmachines.skuDescription",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sku_description: Option<String>,
    /// Hide this SKU (only used in solution templates).
    #[serde(
        rename = "microsoft-azure-virtualmachines.hideSKUForSolutionTemplate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub hide_sku: Option<bool>,
    /// `PublicAzure` and/or `AzureGovernment`.
    #[serde(
        rename = "microsoft-azure-virtualmachines.cloudAvailability",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cloud_availability: Option<Vec<String>>,
    /// Azure Government certifications.
    #[serde(
        rename = "microsoft-azure-virtualmachines.certificationsFairfax",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub certifications_fairfax: Option<Vec<Value>>,
    /// License model and prices.
    #[serde(
        rename = "virtualMachinePricing",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pricing: Option<VirtualMachinePricing>,
    /// `Windows` or `Linux`.
    #[serde(
        rename = "microsoft-azure-virtualmachines.operatingSystemFamily",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_family: Option<String>,
    /// Windows OS type, e.g. `Other`.
    #[serde(
        rename = "microsoft-azure-virtualmachines.windowsOSType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub windows_os_type: Option<String>,
    /// Linux OS type, e.g. `Ubuntu`.
    #[serde(
        rename = "microsoft-azure-virtualmachines.linuxOSType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub linux_os_type: Option<String>,
    /// OS friendly name (note the CPP spelling of the key).
    #[serde(
        rename = "microsoft-azure-virtualmachines.operationSystem",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_friendly_name: Option<String>,
    /// Recommended VM sizes (1–6).
    #[serde(
        rename = "microsoft-azure-virtualmachines.recommendedVMSizes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub recommended_vm_sizes: Option<Vec<String>>,
    /// Ports opened at deployment.
    #[serde(
        rename = "microsoft-azure-virtualmachines.openPorts",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub open_ports: Option<Vec<OpenPort>>,
    /// Disk versions keyed by semver.
    #[serde(
        rename = "microsoft-azure-virtualmachines.vmImages",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub vm_images: Option<BTreeMap<String, VmImage>>,
    /// ISO 3166 alpha-2 country/region codes.
    #[serde(rename = "regions", default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// Keys we do not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl OfferDocument {
    /// Parses a document from JSON text, reporting the path of a wrong type
    /// (for example `definition.plans[0].regions: invalid type: string, expected a sequence`).
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// The offer's name, falling back to its marketplace title, then its id.
    pub fn display_name(&self) -> &str {
        self.definition
            .display_text
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(self.definition.offer.title.as_deref())
            .or(self.id.as_deref())
            .unwrap_or("")
    }

    /// A copy with every secret value blanked, for answers sent to clients (the CPP API never
    /// returns secrets). An absent secret stays absent; a present one becomes `""`.
    pub fn without_secrets(&self) -> Self {
        let mut doc = self.clone();
        let offer = &mut doc.definition.offer;
        let blank = |v: &mut Option<String>| {
            if v.is_some() {
                *v = Some(String::new());
            }
        };
        if let Some(c) = offer.table_lead_configuration.as_mut() {
            blank(&mut c.connection_string);
        }
        if let Some(c) = offer.crm_lead_configuration.as_mut() {
            blank(&mut c.application_key);
            blank(&mut c.password);
        }
        if let Some(c) = offer.marketo_lead_configuration.as_mut() {
            blank(&mut c.client_secret);
        }
        doc
    }

    /// Keeps stored secrets where an update sends them blank (as a client that read the
    /// redacted document and wrote it back would).
    pub fn keep_secrets_from(&mut self, stored: &OfferDocument) {
        let keep = |new: &mut Option<String>, old: Option<&String>| {
            if new.as_deref() == Some("")
                && let Some(old) = old
            {
                *new = Some(old.clone());
            }
        };
        let (new, old) = (&mut self.definition.offer, &stored.definition.offer);
        if let (Some(n), Some(o)) = (
            new.table_lead_configuration.as_mut(),
            old.table_lead_configuration.as_ref(),
        ) {
            keep(&mut n.connection_string, o.connection_string.as_ref());
        }
        if let (Some(n), Some(o)) = (
            new.crm_lead_configuration.as_mut(),
            old.crm_lead_configuration.as_ref(),
        ) {
            keep(&mut n.application_key, o.application_key.as_ref());
            keep(&mut n.password, o.password.as_ref());
        }
        if let (Some(n), Some(o)) = (
            new.marketo_lead_configuration.as_mut(),
            old.marketo_lead_configuration.as_ref(),
        ) {
            keep(&mut n.client_secret, o.client_secret.as_ref());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_keys_survive_a_round_trip_at_every_level() {
        let original = json!({
            "publisherId": "contoso",
            "offerTypeId": "microsoft-azure-virtualmachines",
            "id": "contoso-vm",
            "offerTypeVersions": {"microsoft-azure-virtualmachines": 87, "microsoft-azure-marketplace": 39},
            "definition": {
                "displayText": "Contoso VM",
                "someFutureKey": [1, 2, 3],
                "offer": {
                    "microsoft-azure-marketplace.title": "Contoso",
                    "microsoft-azure-marketplace.categoryMap": [{"categoryL1": "analytics"}],
                    "microsoft-azure-marketplace.tableLeadConfiguration": {"connectionString": "x", "tableName": "leads"}
                },
                "plans": [{
                    "planId": "standard",
                    "virtualMachinePricingV2": {"isByol": true},
                    "virtualMachinePricing": {"isByol": false, "spreadSheetPricing": {"uri": "https://x/p.xlsx"}},
                    "microsoft-azure-virtualmachines.vmImages": {
                        "1.0.0": {"osVhdUrl": "https://a/b.vhd", "lunVhdDetails": [{"lun": 0, "lunVhdUrl": "https://a/d.vhd", "caching": "ReadOnly"}], "note": "n"}
                    },
                    "microsoft-azure-virtualmachines.openPorts": [{"port": 22, "protocol": "TCP", "direction": "in"}]
                }]
            }
        });
        let doc: OfferDocument = serde_json::from_value(original.clone()).unwrap();
        assert_eq!(serde_json::to_value(&doc).unwrap(), original);
    }

    #[test]
    fn wrong_types_name_the_path() {
        let err =
            OfferDocument::from_json(r#"{"definition":{"plans":[{"regions":"US"}]}}"#).unwrap_err();
        assert!(err.contains("invalid type"), "{err}");
    }

    #[test]
    fn secrets_are_blanked_and_kept_on_write_back() {
        let mut doc = OfferDocument::default();
        doc.definition.offer.crm_lead_configuration = Some(CrmLeadConfiguration {
            password: Some("hunter2".into()),
            ..Default::default()
        });
        let shown = doc.without_secrets();
        let shown_password = shown
            .definition
            .offer
            .crm_lead_configuration
            .as_ref()
            .and_then(|c| c.password.clone());
        assert_eq!(shown_password.as_deref(), Some(""));
        let mut written_back = shown.clone();
        written_back.keep_secrets_from(&doc);
        assert_eq!(written_back, doc);
    }
}
