//! `/invitation#token=…`: accepting an invitation. The page says who invited whom to which
//! publisher as what (`POST /api/invitations/lookup`), then accepts with the existing
//! account's password, or creates the account with a display name and a new password; the
//! answer signs the recipient in. The token comes from the fragment, goes only into request
//! bodies, and leaves the address bar once used.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portal_domain::Lang;
use portal_domain::accounts::{AcceptInvitation as Accept, InvitationOffer, InviteAs};

use crate::api::use_api;
use crate::components::form::{FormError, FormField, focus_first_problem};
use crate::i18n::{t, tr, tr_signal};
use crate::model::account::{fragment_token, landing, new_password_problems};
use crate::routes::AppRoute;
use crate::session::use_session;

/// The accept-invitation page.
#[component]
pub fn AcceptInvitation() -> impl IntoView {
    let api = use_api();
    let lang = use_session().lang;
    let token = fragment_token(&crate::web::location_hash());
    let sign_in = AppRoute::SignIn { next: None }.href();
    let Some(token) = token else {
        return view! {
            <section class="signin card">
                <h1>{tr("invitation_title", lang)}</h1>
                <p class="banner banner-warn" role="alert">{tr("link_incomplete", lang)}</p>
                <a href=sign_in>{tr("back_to_sign_in", lang)}</a>
            </section>
        }
        .into_any();
    };
    let token = StoredValue::new(token);
    let offer = LocalResource::new(move || async move { api.invitation(&token.get_value()).await });
    view! {
        <section class="signin card invitation">
            <h1>{tr("invitation_title", lang)}</h1>
            <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
                {move || offer.get().map(|r| match r {
                    Ok(offer) => view! { <AcceptForm offer=offer token=token.get_value() /> }.into_any(),
                    Err(e) => {
                        if e.status == 410 {
                            crate::web::drop_fragment();
                        }
                        view! {
                            <p class="banner banner-error" role="alert" id="invitation-error">{e.form_message(lang.get())}</p>
                            <p>{tr("ask_new_invitation", lang)}</p>
                            <a href=sign_in.clone()>{tr("back_to_sign_in", lang)}</a>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// "Ana Owner invited you to contoso as Developer", in a language.
fn invitation_sentence(offer: &InvitationOffer, lang: Lang) -> String {
    let what = match &offer.invite_as {
        InviteAs::Member { role } => role.label(lang).to_owned(),
        InviteAs::Reviewer { subscription_id } => {
            t("invited_as_reviewer", lang).replace("{subscription}", subscription_id)
        }
    };
    t("invited_by", lang)
        .replace("{who}", &offer.invited_by)
        .replace("{publisher}", &offer.publisher_id)
        .replace("{what}", &what)
}

#[component]
fn AcceptForm(offer: InvitationOffer, token: String) -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let navigate = StoredValue::new_local(use_navigate());
    let exists = offer.account_exists;
    let email = offer.email.clone();
    let publisher = match offer.invite_as {
        InviteAs::Member { .. } => Some(offer.publisher_id.clone()),
        InviteAs::Reviewer { .. } => None,
    };
    let sentence = {
        let offer = offer.clone();
        move || invitation_sentence(&offer, lang.get())
    };
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let context = StoredValue::new((token, email.clone(), publisher));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let (token, email, publisher) = context.get_value();
        let found = if exists {
            if password.get_untracked().is_empty() {
                vec![("inv-password", t("password_required", l).to_owned())]
            } else {
                Vec::new()
            }
        } else {
            let mut found = Vec::new();
            if name.get_untracked().trim().is_empty() {
                found.push((
                    "inv-name",
                    portal_domain::Problem::Required.message(t("display_name", l), l),
                ));
            }
            found.extend(new_password_problems(
                ("inv-password", "inv-confirm"),
                &password.get_untracked(),
                &confirm.get_untracked(),
                &email,
                l,
            ));
            found
        };
        problems.set(found.clone());
        error.set(None);
        if focus_first_problem(&found) {
            return;
        }
        let accept = Accept {
            token,
            password: password.get_untracked(),
            display_name: (!exists).then(|| name.get_untracked().trim().to_owned()),
        };
        busy.set(true);
        spawn_local(async move {
            let answer = api.accept_invitation(&accept).await;
            busy.try_set(false);
            match answer {
                Ok(me) => {
                    crate::web::drop_fragment();
                    if let Some(p) = &publisher {
                        session.switch_publisher(p);
                    }
                    let to = landing(&me, None);
                    session.signed_in(me);
                    navigate.with_value(|n| n(&to, Default::default()));
                }
                Err(e) => {
                    if e.status == 410 {
                        crate::web::drop_fragment();
                    }
                    error.try_set(Some(e.form_message(lang.get_untracked())));
                    crate::web::focus_after_render("inv-password".to_owned());
                }
            }
        });
    };
    view! {
        <p class="invitation-offer" id="invitation-offer">{sentence}</p>
        <p class="muted">
            {tr("invitation_for", lang)} " " <span class="mono" id="invitation-email">{email}</span>
        </p>
        <p>{move || t(if exists { "accept_existing_help" } else { "accept_new_help" }, lang.get()).to_owned()}</p>
        <form on:submit=submit novalidate>
            {(!exists).then(|| view! {
                <FormField id="inv-name" label=tr_signal("display_name", lang) value=name problems=problems
                    autocomplete="name" required=true />
            })}
            <FormField id="inv-password" label=tr_signal(if exists { "password" } else { "new_password" }, lang)
                value=password problems=problems kind="password"
                autocomplete=if exists { "current-password" } else { "new-password" } required=true
                help=tr_signal(if exists { "existing_password_help" } else { "password_rules" }, lang) />
            {(!exists).then(|| view! {
                <FormField id="inv-confirm" label=tr_signal("confirm_password", lang) value=confirm problems=problems
                    kind="password" autocomplete="new-password" required=true />
            })}
            <FormError id="inv-error" message=error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" id="accept-invitation" disabled=move || busy.get()>
                    {tr("accept_invitation", lang)}
                </button>
            </div>
        </form>
    }
}
