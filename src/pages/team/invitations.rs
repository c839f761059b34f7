//! The Team page's invitations (owners only): who is invited and until when, revoking, and
//! inviting someone by e-mail as a member with a role or as a reviewer of a subscription's
//! previews. A new invitation's link is shown this once, to copy; it was also e-mailed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portal_domain::Lang;
use portal_domain::accounts::{CreatedInvitation, Invitation, InvitationState, InviteAs, Role};

use crate::api::use_api;
use crate::components::form::{FormError, FormField, OneTimeValue, focus_first_problem};
use crate::i18n::{t, tr, tr_signal};
use crate::model::team::{InviteForm, InviteKind};
use crate::session::use_session;
use crate::web::format_time;

/// What an invitation makes of its recipient, in words.
fn invite_as_text(invite_as: &InviteAs, lang: Lang) -> String {
    match invite_as {
        InviteAs::Member { role } => role.label(lang).to_owned(),
        InviteAs::Reviewer { subscription_id } => {
            format!("{} ({subscription_id})", t("reviewer", lang))
        }
    }
}

/// The invitations section.
#[component]
pub fn Invitations() -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let list = LocalResource::new(move || {
        session.publisher.track();
        async move { api.invitations().await }
    });
    let error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<CreatedInvitation>);
    let revoke = move |id: String| {
        spawn_local(async move {
            match api.revoke_invitation(&id).await {
                Ok(()) => error.set(None),
                Err(e) => error.set(Some(e.describe(lang.get_untracked()))),
            }
            list.refetch();
        });
    };
    let revoke = StoredValue::new(revoke);
    let on_created = Callback::new(move |c: CreatedInvitation| {
        created.set(Some(c));
        list.refetch();
    });
    view! {
        <section class="card team-card" aria-labelledby="invitations-title">
            <h2 id="invitations-title">{tr("invitations", lang)}</h2>
            {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
            <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="banner banner-error" role="alert">{e.describe(lang.get())}</p> }.into_any(),
                    Ok(items) => {
                        let pending: Vec<Invitation> = items.into_iter().filter(|i| i.state == InvitationState::Pending).collect();
                        if pending.is_empty() {
                            view! { <p class="muted" id="no-invitations">{tr("no_invitations", lang)}</p> }.into_any()
                        } else {
                            view! {
                                <table class="data-table invitations-table">
                                    <thead><tr>
                                        <th scope="col">{tr("email", lang)}</th>
                                        <th scope="col">{tr("invited_as", lang)}</th>
                                        <th scope="col">{tr("invited_by_col", lang)}</th>
                                        <th scope="col">{tr("expires", lang)}</th>
                                        <th scope="col"><span class="visually-hidden">{tr("actions", lang)}</span></th>
                                    </tr></thead>
                                    <tbody>
                                        {pending.into_iter().map(|i| {
                                            let id = i.id.clone();
                                            let invite_as = i.invite_as.clone();
                                            view! {
                                                <tr data-invitation=i.email.clone()>
                                                    <td class="mono">{i.email.clone()}</td>
                                                    <td>{move || invite_as_text(&invite_as, lang.get())}</td>
                                                    <td>{i.invited_by.clone()}</td>
                                                    <td class="nowrap">{format_time(i.expires_at)}</td>
                                                    <td>
                                                        <button type="button" class="btn btn-small btn-danger-quiet revoke-invitation"
                                                            on:click=move |_| revoke.with_value(|f| f(id.clone()))>
                                                            {tr("revoke", lang)}
                                                        </button>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            {move || created.get().map(|c| view! {
                <div class="banner banner-info one-time-banner" id="invitation-created" role="status">
                    <div>
                        <p>{move || t("invitation_sent", lang.get()).replace("{email}", &c.invitation.email)}</p>
                        <OneTimeValue id="invitation-link" label=tr_signal("invitation_link", lang) value=c.link.clone() />
                    </div>
                    <button type="button" class="btn btn-quiet" on:click=move |_| created.set(None)>{tr("close", lang)}</button>
                </div>
            })}
            <InviteFormView on_created=on_created />
        </section>
    }
}

#[component]
fn InviteFormView(on_created: Callback<CreatedInvitation>) -> impl IntoView {
    let api = use_api();
    let lang = use_session().lang;
    let email = RwSignal::new(String::new());
    let subscription = RwSignal::new(String::new());
    let kind = RwSignal::new(InviteKind::Member);
    let role = RwSignal::new(Role::Developer);
    let problems = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let form = InviteForm {
            email: email.get_untracked(),
            kind: kind.get_untracked(),
            role: role.get_untracked(),
            subscription: subscription.get_untracked(),
        };
        error.set(None);
        let request = match form.build(lang.get_untracked()) {
            Ok(r) => {
                problems.set(Vec::new());
                r
            }
            Err(found) => {
                focus_first_problem(&found);
                problems.set(found);
                return;
            }
        };
        busy.set(true);
        spawn_local(async move {
            let answer = api.invite(&request).await;
            busy.try_set(false);
            match answer {
                Ok(created) => {
                    email.try_set(String::new());
                    subscription.try_set(String::new());
                    on_created.run(created);
                }
                Err(e) => {
                    error.try_set(Some(e.form_message(lang.get_untracked())));
                }
            }
        });
    };
    view! {
        <form class="inline-form" id="invite-form" on:submit=submit novalidate aria-labelledby="invite-title">
            <h3 id="invite-title">{tr("invite", lang)}</h3>
            <FormField id="invite-email" label=tr_signal("email", lang) value=email problems=problems
                kind="email" autocomplete="off" required=true />
            <fieldset class="field plain">
                <legend>{tr("invite_as", lang)}</legend>
                <label class="inline-check">
                    <input type="radio" name="invite-kind" id="invite-kind-member"
                        prop:checked=move || kind.get() == InviteKind::Member
                        on:change=move |_| kind.set(InviteKind::Member) />
                    {tr("invite_member", lang)}
                </label>
                <label class="inline-check">
                    <input type="radio" name="invite-kind" id="invite-kind-reviewer"
                        prop:checked=move || kind.get() == InviteKind::Reviewer
                        on:change=move |_| kind.set(InviteKind::Reviewer) />
                    {tr("invite_reviewer", lang)}
                </label>
            </fieldset>
            {move || match kind.get() {
                InviteKind::Member => view! {
                    <div class="field">
                        <label for="invite-role">{tr("role", lang)}</label>
                        <select id="invite-role" on:change=move |ev| {
                            if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                role.set(r);
                            }
                        }>
                            {Role::ALL.into_iter().rev().map(|r| view! {
                                <option value=r.as_str() selected=move || role.get() == r>{move || r.label(lang.get())}</option>
                            }).collect_view()}
                        </select>
                    </div>
                }.into_any(),
                InviteKind::Reviewer => view! {
                    <FormField id="invite-subscription" label=tr_signal("subscription_id", lang) value=subscription
                        problems=problems required=true help=tr_signal("subscription_help", lang) />
                }.into_any(),
            }}
            <FormError id="invite-error" message=error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" id="invite-submit" disabled=move || busy.get()>
                    {tr("send_invitation", lang)}
                </button>
            </div>
        </form>
    }
}
