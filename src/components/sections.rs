//! The editor's sections other than SKUs: Offer Settings, Test Drive, Marketplace, Support.

use leptos::prelude::*;
use portal_domain::i18n::label;
use portal_domain::path::FieldPath;
use portal_domain::validation::{IMAGE_SIZES, LeadDestination, limits};

use crate::components::fields::{Check, Choice, Field, Kind, Logo, StringList, use_editor};
use crate::components::lists::ItemList;
use crate::i18n::{tr, tr_signal};

fn offer(key: &str) -> FieldPath {
    FieldPath::keys(&["definition", "offer", key])
}

fn mp(key: &str) -> FieldPath {
    offer(&format!("microsoft-azure-marketplace.{key}"))
}

/// Offer Settings.
#[component]
pub fn OfferSettings() -> impl IntoView {
    view! {
        <Field path=FieldPath::keys(&["id"]) kind=Kind::ReadOnly />
        <Field path=FieldPath::keys(&["publisherId"]) kind=Kind::ReadOnly />
        <Field path=FieldPath::keys(&["definition", "displayText"]) limit=limits::NAME />
    }
}

/// Test Drive (optional).
#[component]
pub fn TestDrive() -> impl IntoView {
    let ctx = use_editor();
    let enabled_path = offer("microsoft-azure-marketplace-testdrive.enabled");
    let ep = enabled_path.clone();
    let enabled = Memo::new(move |_| ctx.text(&ep) == "true");
    let td = |k: &str| offer(&format!("microsoft-azure-marketplace-testdrive.{k}"));
    view! {
        <p class="muted">{tr("test_drive_note", ctx.lang)}</p>
        <Check path=enabled_path />
        <Show when=move || enabled.get()>
            <Field path=td("description") kind=Kind::Multiline limit=limits::DESCRIPTION />
            <Field path=td("userManual") kind=Kind::Url />
            <Field path=td("durationHours") kind=Kind::Number />
            <Field path=td("armTemplate") kind=Kind::Url />
            <Field path=td("accessInformation") kind=Kind::Multiline limit=limits::DESCRIPTION />
            <ItemList path=td("videos") item=video_item
                legend=tr_signal("test_drive_videos", ctx.lang) />
        </Show>
    }
}

const LEAD_CHOICES: &[(&str, &str, &str)] = &[
    ("None", "None", "없음"),
    ("AzureTable", "Azure Table", "Azure 테이블"),
    (
        "DynamicsCrmOnline",
        "Dynamics CRM Online",
        "Dynamics CRM Online",
    ),
    ("HttpsEndpoint", "HTTPS endpoint", "HTTPS 엔드포인트"),
    ("Marketo", "Marketo", "Marketo"),
    ("Salesforce", "Salesforce", "Salesforce"),
];

/// Marketplace: texts, preview audience, categories, links, logos, leads, legal.
#[component]
pub fn Marketplace() -> impl IntoView {
    let ctx = use_editor();
    let lang = ctx.lang;
    let lead_path = mp("leadDestination");
    let lp = lead_path.clone();
    let lead = Memo::new(move |_| LeadDestination::parse(Some(&ctx.text(&lp))));
    view! {
        <h3 class="subhead">{tr("sub_listing", use_editor().lang)}</h3>
        <Field path=mp("title") limit=limits::TITLE />
        <Field path=mp("summary") limit=limits::SUMMARY />
        <Field path=mp("longSummary") kind=Kind::Multiline limit=limits::LONG_SUMMARY />
        <Field path=mp("description") kind=Kind::Multiline limit=limits::DESCRIPTION />
        <Field path=mp("offerMarketingUrlIdentifier") limit=portal_domain::ids::MAX_ID_LEN />
        <StringList path=mp("allowedSubscriptions") placeholder="00000000-0000-0000-0000-000000000000" />
        <StringList path=mp("categories") placeholder="analytics" />
        <ItemList path=mp("usefulLinks") item=link_item
            legend=Signal::derive(move || label("microsoft-azure-marketplace.usefulLinks", lang.get()).to_owned()) />
        <h3 class="subhead">{tr("sub_logos", use_editor().lang)}</h3>
        <div class="logo-grid">
            {IMAGE_SIZES.iter().map(|(key, w, h)| {
                view! { <Logo path=offer(key) width=*w height=*h /> }
            }).collect_view()}
        </div>
        <h3 class="subhead">{tr("sub_media", lang)}</h3>
        <ItemList path=mp("screenshots") item=screenshot_item
            legend=Signal::derive(move || label("microsoft-azure-marketplace.screenshots", lang.get()).to_owned()) />
        <ItemList path=mp("videos") item=video_item
            legend=Signal::derive(move || label("microsoft-azure-marketplace.videos", lang.get()).to_owned()) />
        <h3 class="subhead">{tr("sub_leads", use_editor().lang)}</h3>
        <Choice path=lead_path choices=LEAD_CHOICES />
        <div class="lead-settings">
            {move || {
                let fields: Vec<AnyView> = match lead.get() {
                    Some(LeadDestination::AzureTable) => vec![
                        view! { <Field path=mp("tableLeadConfiguration").key("connectionString") /> }.into_any(),
                    ],
                    Some(LeadDestination::DynamicsCrmOnline) => {
                        let c = mp("crmLeadConfiguration");
                        vec![
                            view! { <Choice path=c.clone().key("authentication") choices=&[("AzureAD", "Azure AD", "Azure AD"), ("Office365", "Office 365", "Office 365")] /> }.into_any(),
                            view! { <Field path=c.clone().key("url") kind=Kind::Url /> }.into_any(),
                            view! { <Field path=c.clone().key("applicationId") /> }.into_any(),
                            view! { <Field path=c.clone().key("directoryId") /> }.into_any(),
                            view! { <Field path=c.clone().key("applicationKey") /> }.into_any(),
                            view! { <Field path=c.clone().key("userName") /> }.into_any(),
                            view! { <Field path=c.key("password") /> }.into_any(),
                        ]
                    }
                    Some(LeadDestination::HttpsEndpoint) => vec![
                        view! { <Field path=mp("httpsEndpointLeadConfiguration").key("httpsEndpointUrl") kind=Kind::Url /> }.into_any(),
                    ],
                    Some(LeadDestination::Marketo) => {
                        let c = mp("marketoLeadConfiguration");
                        vec![
                            view! { <Field path=c.clone().key("serverId") /> }.into_any(),
                            view! { <Field path=c.clone().key("munchkinId") /> }.into_any(),
                            view! { <Field path=c.key("formId") /> }.into_any(),
                        ]
                    }
                    Some(LeadDestination::Salesforce) => vec![
                        view! { <Field path=mp("salesForceLeadConfiguration").key("objectIdentifier") /> }.into_any(),
                    ],
                    _ => Vec::new(),
                };
                (!fields.is_empty()).then(|| view! {
                    <fieldset class="nested">
                        <legend>{tr("lead_settings", lang)}</legend>
                        {fields}
                    </fieldset>
                })
            }}
        </div>
        <h3 class="subhead">{tr("sub_legal", use_editor().lang)}</h3>
        <Field path=mp("privacyURL") kind=Kind::Url />
        <Field path=mp("termsOfUse") kind=Kind::Multiline limit=limits::TERMS_OF_USE />
    }
}

fn link_item(at: FieldPath) -> AnyView {
    view! {
        <Field path=at.clone().key("linkTitle") limit=limits::SHORT_TEXT />
        <Field path=at.key("linkUrl") kind=Kind::Url />
    }
    .into_any()
}

fn screenshot_item(at: FieldPath) -> AnyView {
    view! {
        <Field path=at.clone().key("name") limit=limits::SHORT_TEXT />
        <Field path=at.key("url") kind=Kind::Url />
    }
    .into_any()
}

fn video_item(at: FieldPath) -> AnyView {
    view! {
        <Field path=at.clone().key("name") limit=limits::SHORT_TEXT />
        <Field path=at.clone().key("link") kind=Kind::Url />
        <Field path=at.key("thumbnailUrl") kind=Kind::Url />
    }
    .into_any()
}

/// Support contacts.
#[component]
pub fn Support() -> impl IntoView {
    view! {
        <h3 class="subhead">{tr("sub_engineering", use_editor().lang)}</h3>
        <Field path=mp("engineeringContactName") limit=limits::SHORT_TEXT />
        <Field path=mp("engineeringContactEmail") kind=Kind::Email />
        <Field path=mp("engineeringContactPhone") kind=Kind::Tel />
        <h3 class="subhead">{tr("sub_support", use_editor().lang)}</h3>
        <Field path=mp("supportContactName") limit=limits::SHORT_TEXT />
        <Field path=mp("supportContactEmail") kind=Kind::Email />
        <Field path=mp("supportContactPhone") kind=Kind::Tel />
        <Field path=mp("publicAzureSupportUrl") kind=Kind::Url />
        <Field path=mp("fairfaxSupportUrl") kind=Kind::Url />
    }
}
