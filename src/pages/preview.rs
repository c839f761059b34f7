//! `/preview/:publisher/:offer`: a reviewer's preview — the product page exactly as it will
//! look live (the catalogue's own component) and a Test deployment panel.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portal_domain::api::TestDeployment;
use portal_domain::catalogue::CatalogueEntry;

use crate::api::{ApiError, use_api};
use crate::components::product::{Images, ProductPage};
use crate::i18n::{t, tr};
use crate::model::catalogue::{DeployForm, human_bytes};
use crate::routes::AppRoute;
use crate::session::use_session;

/// The preview page.
#[component]
pub fn Preview() -> impl IntoView {
    let (publisher, offer) = super::publisher_and_offer();
    let api = use_api();
    let lang = use_session().lang;
    let loaded = LocalResource::new(move || {
        let (publisher, offer) = (publisher.clone(), offer.clone());
        async move {
            let entry = api.preview(&publisher, &offer).await?;
            // The regions holding the preview's disks come with the list of previews.
            let regions = api
                .previews()
                .await?
                .items
                .into_iter()
                .find(|p| p.publisher_id == publisher && p.offer_id == offer)
                .map(|p| p.regions)
                .unwrap_or_default();
            Ok::<_, ApiError>((entry, regions))
        }
    });
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href=AppRoute::Reviewer.href()>{tr("previews", lang)}</a>
        </nav>
        <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
            {move || loaded.get().map(|r| match r {
                Ok((entry, regions)) => view! {
                    <p class="banner banner-info preview-banner">{tr("preview_banner", lang)}</p>
                    <ProductPage entry=entry.clone() images=Images::Preview />
                    <TestDeployPanel entry=entry regions=regions />
                }.into_any(),
                Err(e) => view! { <div class="banner banner-error" role="alert"><p>{e.describe(lang.get())}</p></div> }.into_any(),
            })}
        </Transition>
    }
}

fn deploy_error(e: &ApiError, lang: portal_domain::Lang) -> String {
    if e.status == 409 {
        let base = t("err_deploy_409", lang);
        if e.message.is_empty() {
            base.to_owned()
        } else {
            format!("{base} ({})", e.message)
        }
    } else {
        e.describe(lang)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Deploy {
    Idle,
    Running,
    Done(TestDeployment),
    Failed(String),
}

#[component]
fn TestDeployPanel(entry: CatalogueEntry, regions: Vec<String>) -> impl IntoView {
    let api = use_api();
    let lang = use_session().lang;
    let form = RwSignal::new(DeployForm::new(&entry, &regions));
    let entry = StoredValue::new(entry);
    let state = RwSignal::new(Deploy::Idle);
    let versions = Memo::new(move |_| form.with(|f| entry.with_value(|e| f.versions(e))));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(request) = form.with_untracked(DeployForm::request) else {
            return;
        };
        if state.get_untracked() == Deploy::Running {
            return;
        }
        state.set(Deploy::Running);
        let (publisher, offer) = entry.with_value(|e| (e.publisher_id.clone(), e.offer_id.clone()));
        spawn_local(async move {
            let answer = api.test_deployment(&publisher, &offer, &request).await;
            state.try_set(match answer {
                Ok(d) => Deploy::Done(d),
                Err(e) => Deploy::Failed(deploy_error(&e, lang.get_untracked())),
            });
        });
    };
    let skus = entry.with_value(|e| {
        e.skus
            .iter()
            .map(|s| (s.id.clone(), s.title.clone()))
            .collect::<Vec<_>>()
    });
    view! {
        <section class="card deploy-panel" aria-labelledby="deploy-title">
            <h2 id="deploy-title">{tr("test_deployment", lang)}</h2>
            <p class="muted">{tr("test_deployment_help", lang)}</p>
            <form class="deploy-form" on:submit=submit>
                <div class="field">
                    <label for="deploy-sku">{tr("sku", lang)}</label>
                    <select id="deploy-sku" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        entry.with_value(|e| form.update(|f| f.choose_sku(e, &v)));
                    }>
                        {skus.into_iter().map(|(id, title)| {
                            let selected = id.clone();
                            view! { <option value=id.clone() selected=move || form.with(|f| f.sku == selected)>{format!("{title} ({id})")}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="deploy-version">{tr("disk_version", lang)}</label>
                    <select id="deploy-version" on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.version = v); }>
                        <For each=move || versions.get() key=|v| v.clone() let:v>
                            {
                                let (selected, text) = (v.clone(), v.clone());
                                view! { <option value=v selected=move || form.with(|f| f.version == selected)>{text}</option> }
                            }
                        </For>
                    </select>
                </div>
                <div class="field">
                    <label for="deploy-region">{tr("region", lang)}</label>
                    <select id="deploy-region" on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.region = v); }>
                        {regions.into_iter().map(|r| {
                            let (selected, text) = (r.clone(), r.clone());
                            view! { <option value=r selected=move || form.with(|f| f.region == selected)>{text}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" id="deploy" class="btn btn-primary"
                    disabled=move || state.get() == Deploy::Running || form.with(|f| f.request().is_none())>
                    {move || if state.get() == Deploy::Running { t("deploying", lang.get()) } else { t("deploy", lang.get()) }.to_owned()}
                </button>
            </form>
            <div aria-live="polite" id="deploy-result">
                {move || match state.get() {
                    Deploy::Idle | Deploy::Running => None,
                    Deploy::Failed(msg) => Some(view! { <div class="banner banner-error" role="alert"><p>{msg}</p></div> }.into_any()),
                    Deploy::Done(d) => Some(view! { <DeployResult deployment=d /> }.into_any()),
                }}
            </div>
        </section>
    }
}

#[component]
fn DeployResult(deployment: TestDeployment) -> impl IntoView {
    let lang = use_session().lang;
    let ports = if deployment.open_ports.is_empty() {
        None
    } else {
        Some(
            deployment
                .open_ports
                .iter()
                .map(|p| format!("{} {}/{}", p.name, p.port, p.protocol))
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    view! {
        <div class="deploy-result">
            <h3>{move || format!("{} — {} {} · {}", t("deployed", lang.get()), deployment.sku_id, deployment.disk_version, deployment.region)}</h3>
            <table class="deploy-disks">
                <thead><tr>
                    <th scope="col">{tr("disk", lang)}</th>
                    <th scope="col">{tr("location", lang)}</th>
                    <th scope="col">{tr("size", lang)}</th>
                </tr></thead>
                <tbody>
                    {deployment.disks.iter().map(|d| {
                        let lun = d.lun;
                        let os = d.kind == "os";
                        view! {
                            <tr>
                                <td>{move || match (os, lun) {
                                    (true, _) => t("os_disk", lang.get()).to_owned(),
                                    (false, Some(l)) => format!("{} (LUN {l})", t("data_disk", lang.get())),
                                    (false, None) => t("data_disk", lang.get()).to_owned(),
                                }}</td>
                                <td class="mono break">{d.location.clone()}</td>
                                <td class="nowrap">{human_bytes(d.size_bytes)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <dl class="sku-facts">
                <dt>{tr("recommended_size", lang)}</dt>
                <dd class="mono">{deployment.recommended_vm_size.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>{tr("open_ports", lang)}</dt>
                <dd>{move || ports.clone().unwrap_or_else(|| t("none", lang.get()).to_owned())}</dd>
            </dl>
        </div>
    }
}
