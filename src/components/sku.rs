//! The SKUs section: the list of SKUs and the selected SKU's form, with its disk versions and
//! data disks.

use leptos::prelude::*;
use portal_domain::ids::DiskVersion;
use portal_domain::path::FieldPath;
use portal_domain::validation::limits;
use serde_json::{Value, json};

use crate::components::fields::{Choice, Field, Kind, Messages, StringList, use_editor};
use crate::components::image_check::{DiskKind, ImageCheck};
use crate::components::lists::ItemList;
use crate::i18n::{t, tr};
use crate::model::doc;

fn plans() -> FieldPath {
    FieldPath::keys(&["definition", "plans"])
}

fn vm(i: usize, key: &str) -> FieldPath {
    plans()
        .index(i)
        .key(&format!("microsoft-azure-virtualmachines.{key}"))
}

/// The SKUs section; `selected` is the SKU shown (set by focusing a finding too).
#[component]
pub fn Skus(selected: RwSignal<usize>) -> impl IntoView {
    let ctx = use_editor();
    let lang = ctx.lang;
    let count = Memo::new(move |_| ctx.doc.with(|d| doc::len(d, &plans())));
    let list_messages = Signal::derive(move || ctx.messages(&plans()));
    // A role without Edit switches between the SKUs and reads them; the rest is disabled.
    let read_only =
        crate::components::permission::refused(portal_domain::accounts::Permission::Edit);
    let add = move |_| {
        ctx.doc.update(|d| doc::push(d, &plans(), json!({})));
        selected.set(count.get_untracked().saturating_sub(1));
    };
    view! {
        <div class="sku-layout">
            <nav class="sku-list" aria-label=tr("sku_list", lang)>
                <ul id=plans().to_string() tabindex="-1">
                    <For each=move || 0..count.get() key=|i| *i let:i>
                        {
                            let id_path = plans().index(i).key("planId");
                            let name = Memo::new(move |_| ctx.text(&id_path));
                            let problems = Memo::new(move |_: Option<&usize>| {
                                let prefix = plans().index(i);
                                ctx.findings.with(|f| f.iter().filter(|x| x.field.starts_with(&prefix)).count())
                            });
                            view! {
                                <li>
                                    <button type="button" class="sku-item"
                                        aria-current=move || (selected.get() == i).then_some("true")
                                        on:click=move |_| selected.set(i)>
                                        <span class="mono">{move || { let n = name.get(); if n.is_empty() { t("new_sku", lang.get()).to_owned() } else { n } }}</span>
                                        <Show when=move || { problems.get() > 0 }>
                                            <span class="badge badge-warn">{move || problems.get()}</span>
                                        </Show>
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
                <button type="button" class="btn btn-small" id="add-sku" on:click=add
                    disabled=move || read_only.with(Option::is_some)>
                    {move || format!("+ {}", t("add_sku", lang.get()))}
                </button>
                <Messages id="definition.plans-msg" messages=list_messages />
            </nav>
            <fieldset class="plain sku-form" disabled=move || read_only.with(Option::is_some)>
                {move || {
                    let n = count.get();
                    if n == 0 {
                        view! { <p class="empty">{t("no_skus", lang.get()).to_owned()}</p> }.into_any()
                    } else {
                        let i = selected.get().min(n - 1);
                        view! { <SkuForm index=i selected=selected /> }.into_any()
                    }
                }}
            </fieldset>
        </div>
    }
}

#[component]
fn SkuForm(index: usize, selected: RwSignal<usize>) -> impl IntoView {
    let ctx = use_editor();
    let lang = ctx.lang;
    let i = index;
    let family_path = vm(i, "operatingSystemFamily");
    let family = Memo::new(move |_| ctx.text(&family_path));
    let remove = move |_| {
        ctx.doc.update(|d| doc::remove(d, &plans().index(i)));
        selected.set(i.saturating_sub(1));
        ctx.touch(&plans());
    };
    let pricing = plans().index(i).key("virtualMachinePricing");
    view! {
        <div class="sku-form-head">
            <h3>{tr("sku_details", lang)}</h3>
            <button type="button" class="btn btn-small btn-danger-quiet" on:click=remove>
                {tr("remove_sku", lang)}
            </button>
        </div>
        <Field path=plans().index(i).key("planId") limit=portal_domain::ids::MAX_ID_LEN />
        <Field path=vm(i, "skuTitle") limit=limits::SKU_TITLE />
        <Field path=vm(i, "skuSummary") limit=limits::SKU_SUMMARY />
        <Field path=vm(i, "skuDescription") kind=Kind::Multiline limit=limits::SKU_DESCRIPTION />
        <h4 class="subhead">{tr("sub_pricing", lang)}</h4>
        <CloudAvailability index=i />
        <Choice path=pricing.clone().key("isByol") json_bool=true
            choices=&[("true", "Bring your own license (BYOL)", "사용자 라이선스 사용(BYOL)"), ("false", "Pay as you go", "종량제")] />
        <Choice path=pricing.key("freeTrialDurationInMonths") json_number=true
            choices=&[("0", "No free trial", "무료 평가판 없음"), ("1", "1 month", "1개월"), ("3", "3 months", "3개월")] />
        <StringList path=plans().index(i).key("regions") placeholder="US" />
        <h4 class="subhead">{tr("sub_os", lang)}</h4>
        <Choice path=vm(i, "operatingSystemFamily") choices=&[("Windows", "Windows", "Windows"), ("Linux", "Linux", "Linux")] />
        {move || match family.get().as_str() {
            "Windows" => Some(view! { <Field path=vm(i, "windowsOSType") /> }.into_any()),
            "Linux" => Some(view! { <Field path=vm(i, "linuxOSType") /> }.into_any()),
            _ => None,
        }}
        <Field path=vm(i, "operationSystem") limit=limits::SHORT_TEXT />
        <StringList path=vm(i, "recommendedVMSizes") placeholder="Standard_D2s_v3" />
        <ItemList path=vm(i, "openPorts") item=port_item new_item=new_port
            legend=Signal::derive(move || portal_domain::i18n::label("microsoft-azure-virtualmachines.openPorts", lang.get()).to_owned()) />
        <DiskVersions index=i />
    }
}

#[component]
fn CloudAvailability(index: usize) -> impl IntoView {
    let ctx = use_editor();
    let path = vm(index, "cloudAvailability");
    let p = path.clone();
    let current = Memo::new(move |_| {
        ctx.doc.with(|d| {
            doc::get(d, &p)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let messages = {
        let p = path.clone();
        Signal::derive(move || ctx.messages_under(&p))
    };
    let path = StoredValue::new(path);
    let id = path.with_value(ToString::to_string);
    let toggle = move |cloud: &'static str, on: bool| {
        let mut list = current.get_untracked();
        list.retain(|c| c != cloud);
        if on {
            list.push(cloud.to_owned());
        }
        path.with_value(|p| {
            ctx.set(p, json!(list));
            ctx.touch(p);
        });
    };
    view! {
        <fieldset class="field" class:invalid=move || !messages.get().is_empty()>
            <legend id=id.clone() tabindex="-1">
                {move || path.with_value(|p| portal_domain::i18n::label(p.last_key().unwrap_or_default(), ctx.lang.get()).to_owned())}
                <span class="required" aria-hidden="true">" *"</span>
            </legend>
            {[("PublicAzure", "Public Azure"), ("AzureGovernment", "Azure Government")].into_iter().map(|(v, text)| {
                let cid = format!("{id}-{v}");
                view! {
                    <span class="inline-check">
                        <input type="checkbox" id=cid.clone()
                            prop:checked=move || current.with(|c| c.iter().any(|x| x == v))
                            on:change=move |ev| toggle(v, event_target_checked(&ev)) />
                        <label for=cid>{text}</label>
                    </span>
                }
            }).collect_view()}
            <Messages id=format!("{id}-msg") messages=messages />
        </fieldset>
    }
}

#[component]
fn DiskVersions(index: usize) -> impl IntoView {
    let ctx = use_editor();
    let lang = ctx.lang;
    let images = vm(index, "vmImages");
    let images_sv = StoredValue::new(images.clone());
    let versions = Memo::new(move |_| images_sv.with_value(|p| ctx.doc.with(|d| doc::keys(d, p))));
    let (new_version, set_new_version) = signal(String::new());
    let (version_error, set_version_error) = signal(None::<String>);
    let list_messages = Signal::derive(move || images_sv.with_value(|p| ctx.messages(p)));
    let add = move |_| {
        let raw = new_version.get().trim().to_owned();
        match DiskVersion::parse(&raw) {
            Ok(v) => {
                let key = v.to_string();
                images_sv.with_value(|p| {
                    let at = p.clone().map_key(&key);
                    if ctx.doc.with(|d| doc::get(d, &at).is_none()) {
                        ctx.set(&at, json!({}));
                    }
                    ctx.touch(p);
                });
                set_new_version.set(String::new());
                set_version_error.set(None);
            }
            Err(e) => {
                let l = lang.get();
                set_version_error.set(Some(e.0.message(
                    portal_domain::i18n::label("microsoft-azure-virtualmachines.vmImages", l),
                    l,
                )));
            }
        }
    };
    let add_id = format!("{images}-new");
    view! {
        <fieldset class="field disk-versions" class:invalid=move || !list_messages.get().is_empty()>
            <legend id=images.to_string() tabindex="-1">
                {move || portal_domain::i18n::label("microsoft-azure-virtualmachines.vmImages", lang.get()).to_owned()}
                <span class="required" aria-hidden="true">" *"</span>
            </legend>
            <p class="help">{move || crate::i18n::help("microsoft-azure-virtualmachines.vmImages", lang.get())}</p>
            <For each=move || versions.get() key=|v| v.clone() let:version>
                <DiskVersionCard images=images_sv.get_value() version=version />
            </For>
            <div class="add-version">
                <label for=add_id.clone() class="visually-hidden">{tr("add_version", lang)}</label>
                <input id=add_id type="text" placeholder=tr("version_placeholder", lang)
                    prop:value=move || new_version.get()
                    on:input=move |ev| set_new_version.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); add(()); } />
                <button type="button" class="btn btn-small" on:click=move |_| add(())>
                    {move || format!("+ {}", t("add_version", lang.get()))}
                </button>
            </div>
            {move || version_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            <Messages id=format!("{images}-msg") messages=list_messages />
        </fieldset>
    }
}

#[component]
fn DiskVersionCard(images: FieldPath, version: String) -> impl IntoView {
    let ctx = use_editor();
    let lang = ctx.lang;
    let plan = plan_of(&images);
    let at = images.map_key(&version);
    let disks = at.clone().key("lunVhdDetails");
    let disks_sv = StoredValue::new(disks.clone());
    let at_sv = StoredValue::new(at.clone());
    let plan_sv = StoredValue::new(plan.clone());
    let count = Memo::new(move |_| disks_sv.with_value(|p| ctx.doc.with(|d| doc::len(d, p))));
    let disk_messages = Signal::derive(move || disks_sv.with_value(|p| ctx.messages(p)));
    view! {
        <div class="version-card">
            <div class="version-head">
                <h5 class="mono" id=at.to_string() tabindex="-1">{version.clone()}</h5>
                <button type="button" class="btn btn-small btn-danger-quiet"
                    on:click=move |_| at_sv.with_value(|p| ctx.doc.update(|d| doc::remove(d, p)))>
                    {tr("remove_version", lang)}
                </button>
            </div>
            <Field path=at.clone().key("osVhdUrl") kind=Kind::Url />
            <ImageCheck url=at.clone().key("osVhdUrl") plan=plan kind=DiskKind::Os />
            <div class="data-disks" id=disks.to_string() tabindex="-1">
                <h6>{tr("data_disks", lang)}</h6>
                <For each=move || 0..count.get() key=|i| *i let:i>
                    {
                        let disk = disks_sv.with_value(|p| p.clone().index(i));
                        let remove_path = disk.clone();
                        view! {
                            <div class="pair">
                                <Field path=disk.clone().key("lun") kind=Kind::Number />
                                <Field path=disk.clone().key("lunVhdUrl") kind=Kind::Url />
                                <ImageCheck url=disk.key("lunVhdUrl") plan=plan_sv.get_value() kind=DiskKind::Data />
                                <button type="button" class="btn btn-small btn-quiet pair-remove"
                                    on:click=move |_| ctx.doc.update(|d| doc::remove(d, &remove_path))>
                                    {tr("remove", lang)}
                                </button>
                            </div>
                        }
                    }
                </For>
                <button type="button" class="btn btn-small"
                    on:click=move |_| disks_sv.with_value(|p| {
                        let n = ctx.doc.with(|d| doc::len(d, p));
                        ctx.doc.update(|d| doc::push(d, p, json!({"lun": n})));
                    })>
                    {move || format!("+ {}", t("add_disk", lang.get()))}
                </button>
                <Messages id=format!("{disks}-msg") messages=disk_messages />
            </div>
        </div>
    }
}

fn port_item(at: FieldPath) -> AnyView {
    view! {
        <Field path=at.clone().key("name") limit=limits::SHORT_TEXT />
        <Choice path=at.clone().key("protocol")
            choices=&[("TCP", "TCP", "TCP"), ("UDP", "UDP", "UDP")] />
        <Field path=at.key("port") kind=Kind::Number />
    }
    .into_any()
}

/// A new open port starts as TCP, the common case.
fn new_port() -> Value {
    json!({"protocol": "TCP"})
}

/// The SKU (`definition.plans[i]`) that holds a path inside it.
fn plan_of(path: &FieldPath) -> FieldPath {
    FieldPath(path.0.iter().take(3).cloned().collect())
}
