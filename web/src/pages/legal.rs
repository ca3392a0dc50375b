//! Legal pages: the privacy policy and terms (the operator's Markdown, rendered by the server)
//! and the retention schedule, read live from the API that the deletion jobs follow.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use zimage_shared::privacy::{LegalDocument, RetentionSchedule};

use crate::api;
use crate::components::form::Notice;
use crate::i18n::{Key, t};

#[component]
pub fn LegalPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.with(|p| p.get("name").unwrap_or_default());
    let document = RwSignal::new(None::<LegalDocument>);
    let error = RwSignal::new(None::<Key>);
    Effect::new(move |_| {
        let name = name();
        document.set(None);
        error.set(None);
        if name == "retention" {
            return;
        }
        crate::util::spawn(async move {
            match api::public::<LegalDocument>("GET", &format!("/v1/legal/documents/{name}"), None)
                .await
            {
                Ok(doc) => document.set(Some(doc)),
                Err(err) => error.set(Some(if err.status == 404 {
                    Key::NotFoundLead
                } else {
                    err.message()
                })),
            }
        });
    });
    view! {
        <Show when=move || name() != "retention" fallback=|| view! { <Retention /> }>
            <article class="card legal">
                <Notice message=error />
                {move || match document.get() {
                    Some(doc) => view! { <div class="legal-body" inner_html=doc.html></div> }.into_any(),
                    None => view! { <p class="loading" role="status">{t(Key::Loading)}</p> }.into_any(),
                }}
            </article>
        </Show>
    }
}

#[component]
fn Retention() -> impl IntoView {
    let schedule = RwSignal::new(None::<RetentionSchedule>);
    let error = RwSignal::new(None::<Key>);
    crate::util::spawn(async move {
        match api::public::<RetentionSchedule>("GET", "/v1/legal/retention", None).await {
            Ok(s) => schedule.set(Some(s)),
            Err(err) => error.set(Some(err.message())),
        }
    });
    let period = |days: Option<i64>| match days {
        None => "—".to_string(),
        Some(d) if d % 365 == 0 || d % 365 == 2 && d >= 365 => format!("{} y", d / 365),
        Some(d) => format!("{d} d"),
    };
    view! {
        <article class="card legal">
            <crate::components::layout::Heading key=Key::RetentionTitle />
            <p class="muted">{t(Key::RetentionLead)}</p>
            <Notice message=error />
            <div class="table-scroll">
                <table class="table retention-table">
                    <thead><tr>
                        <th scope="col">{t(Key::RetentionData)}</th>
                        <th scope="col">{t(Key::RetentionPeriod)}</th>
                        <th scope="col">{t(Key::RetentionFrom)}</th>
                        <th scope="col">{t(Key::RetentionThen)}</th>
                    </tr></thead>
                    <tbody>
                        {move || schedule.get().map(|s| s.rules.into_iter().map(|r| view! {
                            <tr data-rule=r.id.clone()>
                                <td>{r.data}</td>
                                <td>{period(r.days)}</td>
                                <td>{r.counted_from}</td>
                                <td>{r.then}</td>
                            </tr>
                        }).collect_view())}
                    </tbody>
                </table>
            </div>
        </article>
    }
}
