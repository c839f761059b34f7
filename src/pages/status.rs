//! `/offers/:id/status`: the seven publishing steps as a live progress view, Go Live and
//! Cancel publish where the workflow allows (disabled, with the reason, where the role does
//! not), the failure view with fix links and a support request, and the history of
//! operations with who started each and who signed it off.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use portal_domain::accounts::Permission;
use portal_domain::api::{OfferStatusView, OperationView, StepView};
use portal_domain::workflow::{MessageLevel, StepStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::api::use_api;
use crate::components::dialog::Confirm;
use crate::components::dialog::PublishDialog;
use crate::components::permission::{Refusal, described_by, refused};
use crate::components::shell::{OfferHeader, OfferTab};
use crate::i18n::{t, tr, tr_signal};
use crate::model::catalogue::region_bar;
use crate::model::status::{
    Actions, Backoff, failed_step, is_moving, message_text, support_mailto,
};
use crate::routes::AppRoute;
use crate::session::use_session;
use crate::web::{format_time, sleep};

/// Where support requests go.
const SUPPORT_ADDRESS: &str = "support@partner-portal.example";

/// The Status page.
#[component]
pub fn Status() -> impl IntoView {
    let params = use_params_map();
    let offer = params.read_untracked().get("id").unwrap_or_default();
    let api = use_api();
    let session = use_session();
    let lang = session.lang;
    let status = RwSignal::new(None::<OfferStatusView>);
    let history = RwSignal::new(Vec::<OperationView>::new());
    let error = RwSignal::new(None::<String>);
    let action_error = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let offer_sv = StoredValue::new(offer.clone());

    // Poll with back-off while the page is open.
    let alive = Arc::new(AtomicBool::new(true));
    let kick = RwSignal::new(0u32);
    {
        let alive = alive.clone();
        spawn_local(async move {
            let offer = offer_sv.get_value();
            let got = api.get_offer(&offer).await;
            // Leaving the page disposes the signals: touch them only while it is open.
            if !alive.load(Ordering::Relaxed) {
                return;
            }
            if let Ok(v) = got {
                let n = v
                    .doc
                    .pointer("/definition/displayText")
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_owned();
                name.set(n);
            }
            let mut backoff = Backoff::new();
            let mut last_op = None;
            while alive.load(Ordering::Relaxed) {
                let seen_kick = kick.get_untracked();
                let answer = api.status(&offer).await;
                if !alive.load(Ordering::Relaxed) {
                    return;
                }
                let delay = match answer {
                    Ok(v) => {
                        let changed = status.with_untracked(|s| s.as_ref() != Some(&v));
                        let moving = is_moving(&v);
                        if changed || last_op != v.operation_id {
                            last_op = v.operation_id.clone();
                            let h = api.submissions(&offer).await;
                            if !alive.load(Ordering::Relaxed) {
                                return;
                            }
                            if let Ok(h) = h {
                                history.set(h);
                            }
                        }
                        if changed {
                            status.set(Some(v));
                        }
                        error.set(None);
                        backoff.after_answer(changed, moving)
                    }
                    Err(e) => {
                        error.set(Some(e.describe(lang.get_untracked())));
                        backoff.after_error()
                    }
                };
                // Sleep in short slices so an action (kick) or leaving the page is noticed.
                let mut waited = 0;
                while waited < delay
                    && alive.load(Ordering::Relaxed)
                    && kick.get_untracked() == seen_kick
                {
                    sleep(250).await;
                    waited += 250;
                }
            }
        });
    }
    on_cleanup(move || alive.store(false, Ordering::Relaxed));

    let go_live_open = RwSignal::new(false);
    let cancel_open = RwSignal::new(false);
    let publish_open = RwSignal::new(false);
    let run = move |which: &'static str| {
        action_error.set(None);
        spawn_local(async move {
            let offer = offer_sv.get_value();
            let result = match which {
                "golive" => api.go_live(&offer).await,
                _ => api.cancel(&offer).await,
            };
            if let Err(e) = result {
                action_error.set(Some(e.describe(lang.get_untracked())));
            }
            kick.update(|k| *k += 1);
        });
    };
    let publish_again = Callback::new(move |emails: String| {
        spawn_local(async move {
            match api.publish(&offer_sv.get_value(), &emails).await {
                Ok(_) => {
                    publish_open.set(false);
                    kick.update(|k| *k += 1);
                }
                Err(e) => {
                    let mut text = e.describe(lang.get_untracked());
                    for d in &e.details {
                        text.push_str(&format!("\n• {}", d.message));
                    }
                    action_error.set(Some(text));
                }
            }
        });
    });
    let actions =
        Memo::new(move |_| status.with(|s| s.as_ref().map(Actions::of).unwrap_or_default()));
    // What the workflow offers, the role may still refuse: such a button stays, disabled,
    // with the reason under the header.
    let go_live_refused = refused(Permission::GoLive);
    let publish_refused = refused(Permission::Publish);
    let history_href = AppRoute::History {
        offer: Some(offer.clone()),
    }
    .href();

    view! {
        <OfferHeader offer=offer.clone() name=name current=OfferTab::Status>
            <Show when=move || actions.get().cancel>
                <button type="button" id="cancel-publish" class="btn btn-danger-quiet"
                    disabled=move || publish_refused.with(Option::is_some)
                    aria-describedby=described_by(publish_refused, "publish-refusal")
                    on:click=move |_| cancel_open.set(true)>
                    {tr("cancel_publish", lang)}
                </button>
            </Show>
            <Show when=move || actions.get().go_live>
                <button type="button" id="go-live" class="btn btn-primary"
                    disabled=move || go_live_refused.with(Option::is_some)
                    aria-describedby=described_by(go_live_refused, "go-live-refusal")
                    title=move || go_live_refused.get()
                    on:click=move |_| go_live_open.set(true)>
                    {tr("go_live", lang)}
                </button>
            </Show>
            <Show when=move || actions.get().publish_again>
                <button type="button" id="publish-again" class="btn btn-primary"
                    disabled=move || publish_refused.with(Option::is_some)
                    aria-describedby=described_by(publish_refused, "publish-refusal")
                    on:click=move |_| publish_open.set(true)>
                    {tr("publish_again", lang)}
                </button>
            </Show>
        </OfferHeader>
        <div class="refusals">
            <Show when=move || actions.get().go_live>
                <Refusal id="go-live-refusal" refusal=go_live_refused />
            </Show>
            <Show when=move || { let a = actions.get(); a.cancel || a.publish_again }>
                <Refusal id="publish-refusal" refusal=publish_refused />
            </Show>
        </div>
        {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert"><p>{e}</p></div> })}
        {move || action_error.get().map(|e| view! { <div class="banner banner-error pre" role="alert"><p>{e}</p></div> })}
        {move || status.get().map(|v| view! { <StatusView view=v offer=offer_sv.get_value() /> })}
        <section class="card history">
            <div class="section-title-row">
                <h2>{tr("history", lang)}</h2>
                <a href=history_href id="offer-audit-link">{tr("who_did_what", lang)}</a>
            </div>
            {move || if history.with(Vec::is_empty) {
                view! { <p class="muted">{t("no_history", lang.get()).to_owned()}</p> }.into_any()
            } else {
                view! {
                    <table class="history-table">
                        <thead><tr>
                            <th scope="col">{t("operation", lang.get()).to_owned()}</th>
                            <th scope="col">{t("version", lang.get()).to_owned()}</th>
                            <th scope="col">{t("created", lang.get()).to_owned()}</th>
                            <th scope="col">{t("result", lang.get()).to_owned()}</th>
                            <th scope="col">{t("started_by", lang.get()).to_owned()}</th>
                            <th scope="col">{t("signed_off_by", lang.get()).to_owned()}</th>
                        </tr></thead>
                        <tbody>
                            <For each=move || history.get() key=|o| (o.id.clone(), o.last_action_date_time, o.signed_off_by.clone()) let:op>
                                <HistoryRow op=op />
                            </For>
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <Confirm open=go_live_open title=tr_signal("go_live", lang)
            body=tr_signal("go_live_confirm", lang)
            confirm_label=tr_signal("go_live", lang)
            cancel_label=tr_signal("cancel", lang)
            on_confirm=Callback::new(move |()| run("golive")) />
        <Confirm open=cancel_open title=tr_signal("cancel_publish", lang)
            body=tr_signal("cancel_confirm", lang)
            confirm_label=tr_signal("cancel_publish", lang)
            cancel_label=tr_signal("close", lang)
            on_confirm=Callback::new(move |()| run("cancel")) danger=true />
        <PublishDialog open=publish_open on_submit=publish_again error=action_error />
    }
}

#[component]
fn HistoryRow(op: OperationView) -> impl IntoView {
    let lang = use_session().lang;
    let state = op.status.as_str();
    view! {
        <tr>
            <td class="mono">{op.id.clone()}</td>
            <td>{op.publishing_version}</td>
            <td class="nowrap">{format_time(op.created_date_time)}</td>
            <td><span class={format!("status-pill status-{state}")}>{move || t(&format!("op_{state}"), lang.get()).to_owned()}</span></td>
            <td class="started-by">{op.started_by.unwrap_or_else(|| "—".to_owned())}</td>
            <td class="signed-off-by">{op.signed_off_by.unwrap_or_else(|| "—".to_owned())}</td>
        </tr>
    }
}

#[component]
fn StatusView(view: OfferStatusView, offer: String) -> impl IntoView {
    let session = use_session();
    let lang = session.lang;
    let failed = failed_step(&view).cloned();
    let at_signoff = Actions::of(&view).go_live;
    // All seven stages: the CPP answer lists the preview stage apart (`previewStep`).
    let stages = view.stages();
    let done = stages
        .iter()
        .filter(|s| s.status == StepStatus::Complete)
        .count();
    let total = stages.len().max(1);
    let percent = done * 100 / total;
    let summary = view.status_detail.clone();
    let summary_class = format!("status-pill status-{}", summary.status.as_str());
    let publisher = session.publisher.get_untracked();
    let offer_for_fail = offer.clone();
    let started_by = view.started_by.clone();
    let signed_off_by = view.signed_off_by.clone();
    view! {
        <section class="card status-summary">
            <p class="status-line">
                <span class=summary_class>{move || summary.label(lang.get())}</span>
                <span class="muted small">{tr("live_updates", lang)}</span>
            </p>
            {(started_by.is_some() || signed_off_by.is_some()).then(|| view! {
                <p class="muted small operation-people" id="operation-people">
                    {started_by.map(|who| view! { {tr("started_by", lang)} ": " <strong>{who}</strong> })}
                    {signed_off_by.map(|who| view! { " · " {tr("signed_off_by", lang)} ": " <strong>{who}</strong> })}
                </p>
            })}
            <div class="overall" role="progressbar" aria-label=tr("publish_progress", lang)
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent.to_string()>
                <div class="overall-bar" style=format!("width:{percent}%")></div>
            </div>
            {view.messages.iter().map(|m| view! { <p class="muted">{message_text(&m.message_html)}</p> }).collect_view()}
            {at_signoff.then(|| view! { <div class="banner banner-info"><p>{tr("signoff_note", lang)}</p></div> })}
            {failed.map(|step| {
                let mailto = support_mailto(SUPPORT_ADDRESS, &publisher, &offer_for_fail, Some(&step), lang.get_untracked());
                let offer = offer_for_fail.clone();
                view! {
                    <div class="failure" role="alert" id="failure">
                        <h2>{move || format!("{} {}", t("failed_at", lang.get()), step.id.name(lang.get()))}</h2>
                        <ul class="failure-messages">
                            {step.messages.iter().filter(|m| m.level == MessageLevel::Error).map(|m| {
                                let link = m.field.clone().map(|f| AppRoute::Editor { offer: offer.clone(), focus: Some(f) }.href());
                                view! {
                                    <li>
                                        <span>{message_text(&m.message_html)}</span>
                                        {link.map(|href| view! { " " <a class="fix-link" href=href>{tr("fix_field", lang)}</a> })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <p>{tr("fix_guidance", lang)}</p>
                        <a class="btn" id="support-link" href=mailto>{tr("support", lang)}</a>
                    </div>
                }
            })}
            <LinkList title="preview_links" links=view.preview_links.clone() />
            <LinkList title="live_links" links=view.live_links.clone() />
        </section>
        <ol class="steps" role="list" aria-label=tr("publish_progress", lang)>
            {stages.into_iter().enumerate().map(|(i, s)| view! { <StepItem step=s number=i + 1 /> }).collect_view()}
        </ol>
    }
}

#[component]
fn LinkList(title: &'static str, links: Vec<portal_domain::api::Link>) -> impl IntoView {
    let lang = use_session().lang;
    (!links.is_empty()).then(|| view! {
        <div class="links">
            <h3>{move || t(title, lang.get()).to_owned()}</h3>
            <ul>
                {links.into_iter().map(|l| view! { <li><a href=l.uri.clone() target="_blank" rel="noopener">{l.display_text.clone()}</a></li> }).collect_view()}
            </ul>
        </div>
    })
}

#[component]
fn StepItem(step: StepView, number: usize) -> impl IntoView {
    let lang = use_session().lang;
    let state = step.status.as_str();
    let id = step.id;
    let pct = step.progress_percentage;
    let status_word = move || t(&format!("step_{state}"), lang.get()).to_owned();
    let marker = match step.status {
        StepStatus::Complete => "✓".to_owned(),
        StepStatus::Failed => "!".to_owned(),
        StepStatus::Canceled => "–".to_owned(),
        _ => number.to_string(),
    };
    view! {
        <li class={format!("step step-{state}")} role="listitem" data-step=id.as_str()>
            <span class="step-marker" aria-hidden="true">{marker}</span>
            <div class="step-body">
                <div class="step-head">
                    <h3>{move || id.name(lang.get())}</h3>
                    <span class="step-state">{status_word}</span>
                </div>
                <p class="muted small">{move || id.description(lang.get())}</p>
                {(step.status == StepStatus::InProgress).then(|| view! {
                    <div class="step-progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
                        aria-valuenow=pct.to_string() aria-label=move || id.name(lang.get())>
                        <div class="step-progress-bar" style=format!("width:{pct}%")></div>
                        <span class="step-progress-text">{format!("{pct}%")}</span>
                    </div>
                })}
                {(!step.regions.is_empty()).then(|| view! {
                    <ul class="regions" aria-label=move || format!("{} — {}", id.name(lang.get()), t("regions_progress", lang.get()))>
                        {step.regions.iter().map(|r| {
                            let (pct, amount) = region_bar(r);
                            let state_key = format!("region_{}", r.state);
                            let name = r.name.clone();
                            let (label, key) = (name.clone(), name.clone());
                            view! {
                                <li class="region" data-region=key>
                                    <div class="region-head">
                                        <span class="mono">{name}</span>
                                        <span class="muted small">{move || format!("{} · {amount}", t(&state_key, lang.get()))}</span>
                                    </div>
                                    <div class="step-progress region-progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
                                        aria-valuenow=pct.to_string() aria-label=label>
                                        <div class="step-progress-bar" style=format!("width:{pct}%")></div>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })}
                <dl class="step-meta">
                    <dt>{tr("estimate", lang)}</dt><dd>{move || id.estimate(lang.get())}</dd>
                    {step.started_at.map(|s| view! { <dt>{tr("started", lang)}</dt><dd>{format_time(s)}</dd> })}
                    {step.ended_at.map(|s| view! { <dt>{tr("ended", lang)}</dt><dd>{format_time(s)}</dd> })}
                </dl>
                {(!step.messages.is_empty()).then(|| view! {
                    <ul class="step-messages">
                        {step.messages.iter().map(|m| view! {
                            <li class={format!("msg msg-{:?}", m.level).to_lowercase()}>{message_text(&m.message_html)}</li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
        </li>
    }
}
