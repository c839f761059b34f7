//! `/team`: the current publisher's members with their role and last sign-in. An owner
//! changes roles and removes members here, and manages invitations ([`invitations`]) and API
//! keys ([`keys`]); everyone else reads the members and is told why they cannot do more.

mod invitations;
mod keys;

use leptos::prelude::*;
use leptos::task::spawn_local;
use portal_domain::accounts::{Member, Permission, Role};

use crate::api::{Api, ApiError, use_api};
use crate::components::dialog::Confirm;
use crate::components::permission::{Refusal, refused};
use crate::i18n::{t, tr, tr_signal};
use crate::model::team::is_last_owner;
use crate::session::{Session, use_session};
use crate::web::format_time;

/// The Team page.
#[component]
pub fn Team() -> impl IntoView {
    let session = use_session();
    let lang = session.lang;
    let manage = refused(Permission::ManageTeam);
    let owner = Memo::new(move |_| manage.with(Option::is_none));
    view! {
        <section class="team-page">
            <div class="page-title-row">
                <h1>{tr("team", lang)} " · " <span class="mono">{move || session.publisher.get()}</span></h1>
            </div>
            <Refusal id="team-refusal" refusal=manage />
            <Members owner=owner />
            <Show when=move || owner.get()>
                <invitations::Invitations />
                <keys::ApiKeys />
            </Show>
        </section>
    }
}

/// After a change to the signed-in person's own membership: asks again who they are, so the
/// role shown and allowed everywhere is the new one.
async fn refresh_me(api: Api, session: Session) {
    if let Ok(me) = api.me().await {
        session.update_me(me);
    }
}

#[component]
fn Members(owner: Memo<bool>) -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let members = LocalResource::new(move || {
        session.publisher.track();
        async move { api.members().await }
    });
    let error = RwSignal::new(None::<String>);
    let removing = RwSignal::new(None::<Member>);
    let confirm_open = RwSignal::new(false);
    let me_id = move || session.with_me(|m| m.and_then(|m| m.user.as_ref()).map(|u| u.id.clone()));
    let after_change = move |user_id: String, result: Result<(), ApiError>| {
        match result {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(e.describe(lang.get_untracked()))),
        }
        // Also after a refusal: the select shows the role the server kept.
        members.refetch();
        if me_id().as_deref() == Some(user_id.as_str()) {
            spawn_local(refresh_me(api, session));
        }
    };
    let change_role = Callback::new(move |(user_id, role): (String, Role)| {
        spawn_local(async move {
            let result = api.change_role(&user_id, role).await.map(drop);
            after_change(user_id, result);
        });
    });
    let ask_remove = Callback::new(move |m: Member| {
        removing.set(Some(m));
        confirm_open.set(true);
    });
    let remove = Callback::new(move |()| {
        let Some(m) = removing.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let result = api.remove_member(&m.user_id).await;
            after_change(m.user_id, result);
        });
    });
    let remove_question = Signal::derive(move || {
        let l = lang.get();
        removing.with(|m| {
            m.as_ref().map_or_else(String::new, |m| {
                t("remove_member_confirm", l)
                    .replace("{name}", &m.display_name)
                    .replace("{publisher}", &session.publisher.get())
            })
        })
    });
    view! {
        <section class="card team-card" aria-labelledby="members-title">
            <h2 id="members-title">{tr("members", lang)}</h2>
            {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert" id="members-error">{e}</p> })}
            <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
                {move || members.get().map(|r| match r {
                    Err(e) => view! { <p class="banner banner-error" role="alert">{e.describe(lang.get())}</p> }.into_any(),
                    Ok(list) => {
                        let all = StoredValue::new(list.clone());
                        view! {
                            <table class="data-table members-table">
                                <thead><tr>
                                    <th scope="col">{tr("member", lang)}</th>
                                    <th scope="col">{tr("role", lang)}</th>
                                    <th scope="col">{tr("joined", lang)}</th>
                                    <th scope="col">{tr("last_sign_in", lang)}</th>
                                    <Show when=move || owner.get()>
                                        <th scope="col"><span class="visually-hidden">{tr("actions", lang)}</span></th>
                                    </Show>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|m| {
                                        let last = all.with_value(|a| is_last_owner(a, &m.user_id));
                                        view! { <MemberRow member=m last_owner=last owner=owner on_role=change_role on_remove=ask_remove /> }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                })}
            </Transition>
            <Confirm open=confirm_open title=tr_signal("remove_member", lang)
                body=remove_question
                confirm_label=tr_signal("remove_member", lang)
                cancel_label=tr_signal("cancel", lang)
                on_confirm=remove danger=true />
        </section>
    }
}

#[component]
fn MemberRow(
    member: Member,
    last_owner: bool,
    owner: Memo<bool>,
    on_role: Callback<(String, Role)>,
    on_remove: Callback<Member>,
) -> impl IntoView {
    let lang = use_session().lang;
    let role = member.role;
    let select_id = format!("role-{}", member.user_id);
    let note_id = format!("last-owner-{}", member.user_id);
    let user_id = StoredValue::new(member.user_id.clone());
    let m = StoredValue::new(member.clone());
    let name = member.display_name.clone();
    let role_label = move || t("role_of", lang.get()).replace("{name}", &name);
    view! {
        <tr data-member=member.email.clone()>
            <td>
                <div class="member-name">{member.display_name.clone()}</div>
                <div class="muted small mono">{member.email.clone()}</div>
            </td>
            <td>
                {move || if owner.get() && !last_owner {
                    view! {
                        <select id=select_id.clone() class="role-select" aria-label=role_label.clone()
                            on:change=move |ev| {
                                if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                    on_role.run((user_id.get_value(), r));
                                }
                            }>
                            {Role::ALL.into_iter().rev().map(|r| view! {
                                <option value=r.as_str() selected=r == role>{move || r.label(lang.get())}</option>
                            }).collect_view()}
                        </select>
                    }.into_any()
                } else {
                    view! {
                        <span class="role-name">{move || role.label(lang.get())}</span>
                        {(owner.get() && last_owner).then(|| view! {
                            <p class="help" id=note_id.clone()>{tr("last_owner_note", lang)}</p>
                        })}
                    }.into_any()
                }}
            </td>
            <td class="nowrap">{format_time(member.joined_at)}</td>
            <td class="nowrap">{member.last_sign_in_at.map_or_else(|| "—".to_owned(), format_time)}</td>
            <Show when=move || owner.get()>
                <td>
                    <button type="button" class="btn btn-small btn-danger-quiet remove-member"
                        disabled=last_owner
                        aria-describedby=last_owner.then(|| format!("last-owner-{}", user_id.get_value()))
                        on:click=move |_| on_remove.run(m.get_value())>
                        {tr("remove", lang)}
                    </button>
                </td>
            </Show>
        </tr>
    }
}
