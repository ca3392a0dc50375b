//! The playground: prompt and settings, live cost, submit, live progress, results.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use zimage_shared::collections::Collection;
use zimage_shared::generation::{
    AspectRatio, Capability, CreateGenerationRequest, GenerationTask, MAX_PROMPT_CHARS, MAX_SEED,
    ModelInfo, OutputFormat, Quality, TaskEvent, TaskStatus, UploadInfo,
};
use zimage_shared::prompts::{CreatePromptRequest, PromptParameters, SavedPrompt};
use zimage_shared::{ErrorCode, Page};

use crate::api;
use crate::components::form::Notice;
use crate::components::paged::Paged;
use crate::i18n::{Key, t, tr, use_i18n};
use crate::session::{Session, redirect_signed_out, use_session};
use crate::util::wire;

/// The form's state, so settings can be filled in from a task or a saved prompt.
#[derive(Clone, Copy)]
struct Form {
    prompt: RwSignal<String>,
    negative: RwSignal<String>,
    model: RwSignal<String>,
    aspect: RwSignal<String>,
    /// Width × height from reused settings without an aspect ratio.
    custom: RwSignal<Option<(u32, u32)>>,
    quality: RwSignal<Quality>,
    format: RwSignal<OutputFormat>,
    seed: RwSignal<String>,
    count: RwSignal<u32>,
    /// Image-to-image: the uploaded starting image and how far to move from it.
    reference: RwSignal<Option<UploadInfo>>,
    strength: RwSignal<f32>,
}

impl Form {
    fn new() -> Self {
        Self {
            prompt: RwSignal::new(String::new()),
            negative: RwSignal::new(String::new()),
            model: RwSignal::new(String::new()),
            aspect: RwSignal::new(wire(&AspectRatio::Square)),
            custom: RwSignal::new(None),
            quality: RwSignal::new(Quality::Standard),
            format: RwSignal::new(OutputFormat::Png),
            seed: RwSignal::new(String::new()),
            count: RwSignal::new(1),
            reference: RwSignal::new(None),
            strength: RwSignal::new(0.6),
        }
    }

    fn apply(self, req: &CreateGenerationRequest) {
        self.prompt.set(req.prompt.clone());
        self.negative
            .set(req.negative_prompt.clone().unwrap_or_default());
        self.model.set(req.model.clone());
        self.apply_size(req.aspect_ratio, req.width, req.height);
        self.quality.set(req.quality);
        self.format.set(req.output_format);
        self.seed
            .set(req.seed.map(|s| s.to_string()).unwrap_or_default());
        self.count.set(req.num_images.max(1));
        self.reference.set(None);
        if let Some(strength) = req.strength {
            self.strength.set(strength);
        }
        if let Some(id) = req.reference_upload_id {
            let reference = self.reference;
            let session = use_session();
            leptos::task::spawn_local(async move {
                if let Ok(info) = session
                    .call::<UploadInfo>("GET", &format!("/v1/uploads/{id}"), None)
                    .await
                {
                    reference.set(Some(info));
                }
            });
        }
    }

    fn apply_size(self, aspect: Option<AspectRatio>, width: Option<u32>, height: Option<u32>) {
        match (aspect, width, height) {
            (_, Some(w), Some(h)) => {
                self.custom.set(Some((w, h)));
                self.aspect.set("custom".into());
            }
            (Some(ratio), _, _) => {
                self.custom.set(None);
                self.aspect.set(wire(&ratio));
            }
            _ => {}
        }
    }

    fn apply_prompt(self, saved: &SavedPrompt) {
        let p = &saved.parameters;
        self.prompt.set(saved.prompt.clone());
        self.negative
            .set(saved.negative_prompt.clone().unwrap_or_default());
        if let Some(model) = &p.model {
            self.model.set(model.clone());
        }
        self.apply_size(p.aspect_ratio, p.width, p.height);
        if let Some(q) = p.quality {
            self.quality.set(q);
        }
        if let Some(f) = p.output_format {
            self.format.set(f);
        }
        self.seed
            .set(p.seed.map(|s| s.to_string()).unwrap_or_default());
        if let Some(n) = p.num_images {
            self.count.set(n);
        }
    }

    fn size(self) -> (Option<AspectRatio>, Option<u32>, Option<u32>) {
        match self.custom.get_untracked() {
            Some((w, h)) if self.aspect.get_untracked() == "custom" => (None, Some(w), Some(h)),
            _ => (
                serde_json::from_value(serde_json::Value::String(self.aspect.get_untracked())).ok(),
                None,
                None,
            ),
        }
    }

    fn request(self) -> CreateGenerationRequest {
        let (aspect_ratio, width, height) = self.size();
        let negative = self.negative.get_untracked();
        CreateGenerationRequest {
            model: self.model.get_untracked(),
            prompt: self.prompt.get_untracked(),
            negative_prompt: (!negative.trim().is_empty()).then_some(negative),
            aspect_ratio,
            width,
            height,
            quality: self.quality.get_untracked(),
            output_format: self.format.get_untracked(),
            seed: self.seed.get_untracked().trim().parse().ok(),
            num_images: self.count.get_untracked(),
            reference_upload_id: self.reference.get_untracked().map(|r| r.id),
            strength: self
                .reference
                .get_untracked()
                .map(|_| self.strength.get_untracked()),
            webhook_url: None,
            metadata: None,
        }
    }
}

fn status_key(status: TaskStatus) -> Key {
    match status {
        TaskStatus::Queued => Key::TaskQueued,
        TaskStatus::Running => Key::TaskRunning,
        TaskStatus::Succeeded => Key::TaskSucceeded,
        TaskStatus::Failed => Key::TaskFailed,
        TaskStatus::Canceled => Key::TaskCanceled,
    }
}

fn aspect_label(ratio: &str) -> String {
    ratio.replace(':', " : ")
}

/// One shape among the aspect choices: a radio drawn as a box of that shape.
fn aspect_choice(form: Form, value: String, label: String, ratio: f64) -> impl IntoView {
    // The box fits 28 × 28 px, keeping the shape.
    let (w, h) = if ratio >= 1.0 {
        (28.0, 28.0 / ratio)
    } else {
        (28.0 * ratio, 28.0)
    };
    let current = value.clone();
    let chosen = value.clone();
    view! {
        <label class="aspect-choice">
            <input type="radio" name="aspect" value=value class="visually-hidden"
                prop:checked=move || form.aspect.get() == current
                on:change=move |_| form.aspect.set(chosen.clone()) />
            <span class="aspect-box" aria-hidden="true" style=format!("width: {w:.0}px; height: {h:.0}px")></span>
            <span class="aspect-name">{label}</span>
        </label>
    }
}

/// Ctrl+Enter (⌘+Enter on a Mac) in the prompt submits its form, as the Generate button does.
fn submit_on_ctrl_enter(ev: leptos::ev::KeyboardEvent) {
    use wasm_bindgen::JsCast;
    if ev.key() != "Enter" || !(ev.ctrl_key() || ev.meta_key()) {
        return;
    }
    ev.prevent_default();
    let form = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("form").ok().flatten())
        .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok());
    if let Some(form) = form {
        let _ = form.request_submit();
    }
}

#[component]
pub fn Create() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    redirect_signed_out();
    let form = Form::new();
    let models = RwSignal::new(Vec::<ModelInfo>::new());
    let error = RwSignal::new(None::<Key>);
    let notice = RwSignal::new(None::<Key>);
    let prompt_err = RwSignal::new(None::<Key>);
    let seed_err = RwSignal::new(None::<Key>);
    // Submitting (not running: several jobs may run at once, each in its own card).
    let busy = RwSignal::new(false);
    let jobs = RwSignal::new(Vec::<Job>::new());
    // For "Add to collection" under each result.
    let collections = Paged::<Collection>::new("/v1/collections");
    let short_of_credits = RwSignal::new(false);

    crate::util::spawn(async move {
        if let Ok(page) = api::public::<Page<ModelInfo>>("GET", "/v1/models", None).await {
            if form.model.get_untracked().is_empty()
                && let Some(first) = page.items.first()
            {
                form.model.set(first.id.clone());
            }
            models.set(page.items);
        }
    });
    crate::util::spawn(session.reload_credits());

    // `?task=` reuses a task's settings, `?prompt=` a saved prompt's.
    let query = use_query_map();
    Effect::new(move |_| {
        let q = query.get();
        if let Some(id) = q.get("task") {
            crate::util::spawn(async move {
                let path = format!("/v1/generations/{id}/settings");
                if let Ok(req) = session
                    .call::<CreateGenerationRequest>("GET", &path, None)
                    .await
                {
                    form.apply(&req);
                }
            });
        } else if let Some(id) = q.get("prompt") {
            crate::util::spawn(async move {
                let path = format!("/v1/prompts/{id}");
                if let Ok(saved) = session.call::<SavedPrompt>("GET", &path, None).await {
                    form.apply_prompt(&saved);
                }
            });
        }
    });

    let selected = Memo::new(move |_| {
        let id = form.model.get();
        models.get().into_iter().find(|m| m.id == id)
    });
    let cost = Memo::new(move |_| {
        selected
            .get()
            .map(|m| m.cost.per_image(form.quality.get()) * i64::from(form.count.get()))
    });
    let available = move || session.credits.get().map(|c| c.available);
    // Generate is off while the cost is above the balance (the server would refuse it anyway).
    let too_dear = move || matches!((cost.get(), available()), (Some(c), Some(a)) if c > a);
    let start = Callback::new(move |request: CreateGenerationRequest| {
        error.set(None);
        short_of_credits.set(false);
        busy.set(true);
        leptos::task::spawn_local(async move {
            run(session, request, jobs, busy, error, short_of_credits).await;
        });
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        short_of_credits.set(false);
        let prompt = form.prompt.get_untracked();
        if prompt.trim().is_empty() {
            prompt_err.set(Some(Key::ErrRequired));
            return;
        }
        if prompt.chars().count() > MAX_PROMPT_CHARS {
            prompt_err.set(Some(Key::ErrTooLong));
            return;
        }
        // Settings the model cannot honour are not sent (the API would refuse them).
        let supports = selected
            .get_untracked()
            .map(|m| m.supports)
            .unwrap_or_default();
        let seed = form.seed.get_untracked();
        if supports.seed
            && !seed.trim().is_empty()
            && !seed
                .trim()
                .parse::<i64>()
                .is_ok_and(|s| (0..=MAX_SEED).contains(&s))
        {
            seed_err.set(Some(Key::ErrField));
            return;
        }
        // A reference only goes to models that can start from one.
        if !selected
            .get_untracked()
            .is_some_and(|m| m.capabilities.contains(&Capability::ImageToImage))
        {
            form.reference.set(None);
        }
        let mut request = form.request();
        if !supports.negative_prompt {
            request.negative_prompt = None;
        }
        if !supports.seed {
            request.seed = None;
        }
        start.run(request);
    };

    let save_prompt = move |_| {
        notice.set(None);
        error.set(None);
        let req = form.request();
        let title: String = req.prompt.chars().take(60).collect();
        let body = CreatePromptRequest {
            title,
            prompt: req.prompt.clone(),
            negative_prompt: req.negative_prompt.clone(),
            parameters: PromptParameters {
                model: Some(req.model.clone()),
                aspect_ratio: req.aspect_ratio,
                width: req.width,
                height: req.height,
                quality: Some(req.quality),
                output_format: Some(req.output_format),
                seed: req.seed,
                num_images: Some(req.num_images),
            },
        };
        if body.prompt.trim().is_empty() {
            prompt_err.set(Some(Key::ErrRequired));
            return;
        }
        leptos::task::spawn_local(async move {
            match session
                .call::<SavedPrompt>("POST", "/v1/prompts", api::body(&body))
                .await
            {
                Ok(_) => notice.set(Some(Key::PromptSaved)),
                Err(err) if err.code() == Some(ErrorCode::LimitReached) => {
                    error.set(Some(Key::ErrPromptLibraryFull))
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };

    // The heading and the prompt (what the shell drew before the app came) are built in the
    // app's first task, the rest of the page in the next.
    let rest = crate::util::after_this_task();

    view! {
        <crate::components::layout::Heading key=Key::CreateTitle />
        <div class="create-layout">
            <form class="card create-form" on:submit=submit novalidate>
                <div class="field" class:field-invalid=move || prompt_err.get().is_some()>
                    <label for="prompt">{t(Key::PromptLabel)}</label>
                    <textarea id="prompt" name="prompt" rows="4" maxlength=MAX_PROMPT_CHARS.to_string()
                        aria-describedby="prompt-hint prompt-error"
                        aria-invalid=move || prompt_err.get().is_some().to_string()
                        prop:value=move || form.prompt.get()
                        on:input=move |ev| { form.prompt.set(event_target_value(&ev)); prompt_err.set(None); }
                        on:keydown=submit_on_ctrl_enter
                    ></textarea>
                    <p class="hint" id="prompt-hint">
                        {t(Key::PromptHint)} " " {t(Key::GenerateShortcut)} " "
                        <span class="counter">{move || format!("{}/{MAX_PROMPT_CHARS}", form.prompt.get().chars().count())}</span>
                    </p>
                    <p class="error-text" id="prompt-error" role="alert">{move || prompt_err.get().map(|k| tr(i18n.locale.get(), k))}</p>
                </div>
                <Show when=move || rest.get()>
                <div class="grid-2">
                    <div class="field field-wide">
                        <label for="model">{t(Key::ModelLabel)}</label>
                        <select id="model" on:change=move |ev| form.model.set(event_target_value(&ev))>
                            <Show when=move || models.get().is_empty()>
                                <option value="">{t(Key::ModelsLoading)}</option>
                            </Show>
                            <For each=move || models.get() key=|m| m.id.clone() let:m>
                                <option value=m.id.clone() selected={ let id = m.id.clone(); move || form.model.get() == id }>{m.name.clone()}</option>
                            </For>
                        </select>
                    </div>
                    <fieldset class="field aspect-field">
                        <legend class="field-label">{t(Key::AspectLabel)}</legend>
                        <div class="aspect-choices">
                            {move || form.custom.get().map(|(w, h)| aspect_choice(form, "custom".into(), format!("{w} × {h}"), f64::from(w) / f64::from(h.max(1))))}
                            // Until the models arrive, every shape holds its place (most models
                            // take them all), so the fields below do not jump when they do.
                            {move || selected.get().map(|m| m.aspect_ratios).unwrap_or_else(|| AspectRatio::ALL.to_vec()).into_iter().map(|r| {
                                let value = wire(&r);
                                let label = aspect_label(&value);
                                let ratio = value
                                    .split_once(':')
                                    .and_then(|(w, h)| Some(w.parse::<f64>().ok()? / h.parse::<f64>().ok()?))
                                    .unwrap_or(1.0);
                                aspect_choice(form, value, label, ratio)
                            }).collect_view()}
                        </div>
                    </fieldset>
                    <div class="field">
                        <label for="quality">{t(Key::QualityLabel)}</label>
                        <select id="quality" on:change=move |ev| form.quality.set(if event_target_value(&ev) == "high" { Quality::High } else { Quality::Standard })>
                            <option value="standard" selected=move || form.quality.get() == Quality::Standard>{t(Key::QualityStandard)}</option>
                            <option value="high" selected=move || form.quality.get() == Quality::High>{t(Key::QualityHigh)}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="count">{t(Key::CountLabel)}</label>
                        <select id="count" on:change=move |ev| form.count.set(event_target_value(&ev).parse().unwrap_or(1))>
                            {move || (1..=selected.get().map(|m| m.max_images).unwrap_or(1)).map(|n| view! {
                                <option value=n.to_string() selected=move || form.count.get() == n>{n.to_string()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <Show when=move || selected.get().is_some_and(|m| m.capabilities.contains(&Capability::ImageToImage))>
                    <ReferencePicker reference=form.reference strength=form.strength />
                </Show>
                <details class="more">
                    <summary>{t(Key::MoreSettings)}</summary>
                    // Only for models that take one (the others would refuse it).
                    <Show when=move || selected.get().is_some_and(|m| m.supports.negative_prompt)>
                        <div class="field">
                            <label for="negative">{t(Key::NegativePromptLabel)} <span class="muted">" (" {t(Key::Optional)} ")"</span></label>
                            <textarea id="negative" name="negative" rows="2" maxlength=MAX_PROMPT_CHARS.to_string()
                                prop:value=move || form.negative.get()
                                on:input=move |ev| form.negative.set(event_target_value(&ev))
                            ></textarea>
                        </div>
                    </Show>
                    <div class="grid-2">
                        <div class="field">
                            <label for="format">{t(Key::FormatLabel)}</label>
                            <select id="format" on:change=move |ev| {
                                if let Ok(f) = serde_json::from_value(serde_json::Value::String(event_target_value(&ev))) { form.format.set(f) }
                            }>
                                {[OutputFormat::Png, OutputFormat::Jpeg, OutputFormat::Webp].into_iter().map(|f| view! {
                                    <option value=f.as_str() selected=move || form.format.get() == f>{f.as_str().to_uppercase()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <Show when=move || selected.get().is_none_or(|m| m.supports.seed)
                            fallback=move || view! { <p class="hint" data-testid="no-seed">{t(Key::NoSeedHint)}</p> }>
                            <div class="field" class:field-invalid=move || seed_err.get().is_some()>
                                <label for="seed">{t(Key::SeedLabel)}</label>
                                <input id="seed" type="text" inputmode="numeric" aria-describedby="seed-hint"
                                    prop:value=move || form.seed.get()
                                    on:input=move |ev| { form.seed.set(event_target_value(&ev)); seed_err.set(None); } />
                                <p class="hint" id="seed-hint">{t(Key::SeedHint)}</p>
                                <p class="error-text" role="alert">{move || seed_err.get().map(|k| tr(i18n.locale.get(), k))}</p>
                            </div>
                        </Show>
                    </div>
                </details>
                <div class="cost-row" aria-live="polite">
                    <span><strong>{t(Key::CostLabel)}</strong> ": "
                        <span class="amount" data-testid="cost">{move || cost.get().map(|c| c.to_string()).unwrap_or_else(|| "–".into())}</span>
                        " " {crate::i18n::credits_unit(move || cost.get())}</span>
                    <span class="muted">{t(Key::YouHave)} " " {move || available().map(|a| a.to_string()).unwrap_or_else(|| "…".into())} " " {crate::i18n::credits_unit(available)}</span>
                </div>
                <Notice message=error />
                <Show when=move || too_dear() && error.get().is_none()>
                    <p class="notice notice-error" role="alert" data-testid="too-dear">{t(Key::ErrInsufficientCredits)}</p>
                </Show>
                <Show when=move || short_of_credits.get() || too_dear()>
                    <p><a href="/credits" class="button button-small">{t(Key::BuyCreditsLink)}</a></p>
                </Show>
                <Notice message=notice success=true />
                <div class="actions generate-bar">
                    <button type="submit" class="button button-primary"
                        disabled=move || busy.get() || models.get().is_empty() || too_dear()
                        aria-busy=move || busy.get().to_string()>
                        {move || tr(i18n.locale.get(), if busy.get() { Key::Working } else { Key::Generate })}
                    </button>
                    <button type="button" class="button" on:click=save_prompt>{t(Key::SavePrompt)}</button>
                </div>
                </Show>
            </form>
            // With the rest of the form: drawn earlier, under a form still to grow, it would be
            // pushed down.
            <Show when=move || rest.get()>
            <section class="results" id="results" aria-labelledby="results-heading">
                <h2 id="results-heading" class="visually-hidden">{t(Key::TaskSucceeded)}</h2>
                <Show when=move || jobs.with(Vec::is_empty)>
                    <p class="card empty">{t(Key::ResultsEmpty)}</p>
                </Show>
                <For each=move || jobs.get() key=|job| job.id let:job>
                    <JobCard job=job form=form start=start error=error collections=collections
                        reference_ok=Signal::derive(move || selected.get().is_some_and(|m| m.capabilities.contains(&Capability::ImageToImage))) />
                </For>
            </section>
            </Show>
        </div>
    }
}

/// A task of this visit: its own live status, progress and results.
#[derive(Clone, Copy)]
struct Job {
    id: uuid::Uuid,
    task: RwSignal<GenerationTask>,
    live: RwSignal<Option<TaskEvent>>,
}

/// Cards kept on the page; older finished ones leave (they stay in History and the gallery).
const MAX_JOBS: usize = 8;

/// One job: status and progress while it runs (with cancel), then its images with their actions,
/// "Reuse settings" and "Variations" (same settings, new seeds).
#[component]
fn JobCard(
    job: Job,
    form: Form,
    start: Callback<CreateGenerationRequest>,
    error: RwSignal<Option<Key>>,
    reference_ok: Signal<bool>,
    collections: Paged<Collection>,
) -> impl IntoView {
    let session = use_session();
    let status = move || {
        let current = job.task.get();
        job.live
            .get()
            .filter(|_| !current.status.is_final())
            .map(|e| e.status)
            .unwrap_or(current.status)
    };
    let progress = move || {
        job.live
            .get()
            .and_then(|e| e.progress)
            .or(job.task.get().progress)
    };
    let settings =
        move |then: fn(Form, Callback<CreateGenerationRequest>, CreateGenerationRequest)| {
            let path = format!("/v1/generations/{}/settings", job.id);
            leptos::task::spawn_local(async move {
                match session
                    .call::<CreateGenerationRequest>("GET", &path, None)
                    .await
                {
                    Ok(req) => then(form, start, req),
                    Err(err) => error.set(Some(err.message())),
                }
            });
        };
    let reuse = move |_| settings(|form, _, req| form.apply(&req));
    let variations = move |_| {
        settings(|_, start, mut req| {
            req.seed = None;
            start.run(req);
        })
    };
    let cancel = move |_| {
        let path = format!("/v1/generations/{}/cancel", job.id);
        leptos::task::spawn_local(async move {
            match session.call::<GenerationTask>("POST", &path, None).await {
                Ok(updated) => job.task.set(updated),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let prompt = job.task.with_untracked(|t| t.prompt.clone());
    view! {
        <article class="card job" id=format!("job-{}", job.id) tabindex="-1" data-status=move || status().as_str()>
            <p class="job-prompt" title=prompt.clone()>{prompt.clone()}</p>
            <div class="task-status" data-status=move || status().as_str()>
                <p class="status-line" role="status">{move || t(status_key(status()))}</p>
                <Show when=move || !status().is_final()>
                    <progress max="1" value=move || progress().unwrap_or(0.0).to_string() aria-label=t(Key::TaskRunning)></progress>
                    <button type="button" class="button button-small button-ghost" on:click=cancel>{t(Key::CancelTask)}</button>
                </Show>
            </div>
            {move || job.task.with(|t| t.failure_message.clone()).map(|message| view! { <p class="hint">{message}</p> })}
            <div class="result-grid">
                {move || {
                    let current = job.task.get();
                    current.images.iter().map(|image| view! {
                        <ResultImage image=image.clone() prompt=current.prompt.clone() form=form reference_ok=reference_ok collections=collections />
                    }).collect_view()
                }}
            </div>
            <Show when=move || status().is_final()>
                <div class="actions job-actions">
                    <button type="button" class="button button-small" on:click=reuse>{t(Key::Reuse)}</button>
                    <button type="button" class="button button-small" on:click=variations>{t(Key::Variations)}</button>
                </div>
            </Show>
        </article>
    }
}

/// Submits, adds the job's card, then follows the task live until it finishes.
async fn run(
    session: Session,
    request: CreateGenerationRequest,
    jobs: RwSignal<Vec<Job>>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<Key>>,
    short_of_credits: RwSignal<bool>,
) {
    // One key per press: a retried request never starts (or charges) a second task.
    let key = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("{}", js_sys::Date::now()));
    let created = session
        .call_with::<GenerationTask>(
            "POST",
            "/v1/generations",
            api::body(&request),
            &[("Idempotency-Key", key.as_str())],
        )
        .await;
    let _ = busy.try_set(false);
    let created = match created {
        Ok(created) => created,
        Err(err) => {
            if err.code() == Some(ErrorCode::InsufficientCredits) {
                let _ = short_of_credits.try_set(true);
            }
            let _ = error.try_set(Some(match err.code() {
                Some(ErrorCode::RateLimited) if err.status == 429 => Key::ErrTooManyTasks,
                _ => err.message(),
            }));
            return;
        }
    };
    let job = Job {
        id: created.id,
        task: RwSignal::new(created),
        live: RwSignal::new(None),
    };
    let _ = jobs.try_update(|all| {
        all.insert(0, job);
        // Drop the oldest finished cards beyond the limit.
        while all.len() > MAX_JOBS {
            match all
                .iter()
                .rposition(|j| j.task.with_untracked(|t| t.status.is_final()))
            {
                Some(at) => {
                    all.remove(at);
                }
                None => break,
            }
        }
    });
    show_results_on_phones();
    session.reload_credits().await;
    if let Some(done) = crate::live::follow_task(session, job.id, move |event| {
        let _ = job.live.try_set(Some(event));
    })
    .await
    {
        let _ = job.task.try_set(done);
        focus_finished(job.id);
    }
    session.reload_credits().await;
}

/// Moves focus to a job's card when it finishes, unless the user is busy in a field (writing the
/// next prompt, say): its status line is announced either way.
fn focus_finished(id: uuid::Uuid) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let typing = document.active_element().is_some_and(|e| {
        matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            || e.closest("[role=dialog]").ok().flatten().is_some()
    });
    if typing {
        return;
    }
    if let Some(card) = document
        .get_element_by_id(&format!("job-{id}"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = card.focus();
    }
}

/// One generated image: download, favourite, and (for models that start from an image) use it as
/// the reference of the next generation.
#[component]
fn ResultImage(
    image: zimage_shared::generation::GeneratedImageInfo,
    prompt: String,
    form: Form,
    reference_ok: Signal<bool>,
    collections: Paged<Collection>,
) -> impl IntoView {
    let session = use_session();
    let favorite = RwSignal::new(false);
    let referencing = RwSignal::new(false);
    let id = image.id;
    let toggle = move |_| {
        let on = !favorite.get_untracked();
        leptos::task::spawn_local(async move {
            let method = if on { "PUT" } else { "DELETE" };
            if session
                .call::<serde_json::Value>(method, &format!("/v1/images/{id}/favorite"), None)
                .await
                .is_ok()
            {
                let _ = favorite.try_set(on);
            }
        });
    };
    let url = image.url.clone();
    let format = image.format;
    let use_as_reference = move |_| {
        let url = url.clone();
        referencing.set(true);
        leptos::task::spawn_local(async move {
            if let Some(info) = upload_from(session, &url, format).await {
                form.reference.set(Some(info));
                focus_prompt();
            }
            let _ = referencing.try_set(false);
        });
    };
    let filename = format!("zimage-{id}.{}", image.format.extension());
    view! {
        <figure class="result">
            <img src=image.url.clone() alt=prompt width=image.width.to_string() height=image.height.to_string() />
            <figcaption class="actions">
                <a class="button button-small" href=image.url.clone() download=filename>{t(Key::Download)}</a>
                <button type="button" class="button button-small" aria-pressed=move || favorite.get().to_string() on:click=toggle>
                    {move || if favorite.get() { "★ " } else { "☆ " }}
                    {move || if favorite.get() { t(Key::Unfavorite)() } else { t(Key::Favorite)() }}
                </button>
                <Show when=move || reference_ok.get()>
                    <button type="button" class="button button-small" on:click=use_as_reference.clone() disabled=move || referencing.get()>
                        {t(Key::UseAsReference)}
                    </button>
                </Show>
            </figcaption>
            <crate::pages::gallery::AddToCollection image_id=id collections=collections />
        </figure>
    }
}

/// Uploads one of the user's images (by its signed URL) as a reference image.
async fn upload_from(session: Session, url: &str, format: OutputFormat) -> Option<UploadInfo> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window()?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let blob: web_sys::Blob = JsFuture::from(response.blob().ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let form = web_sys::FormData::new().ok()?;
    form.append_with_blob_and_filename("file", &blob, &format!("reference.{}", format.extension()))
        .ok()?;
    session
        .upload::<UploadInfo>("/v1/uploads", &form)
        .await
        .ok()
}

/// On a phone the results sit under the form: bring the new job's card into view.
fn show_results_on_phones() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let narrow = window
        .match_media("(max-width: 800px)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    if narrow
        && let Some(results) = window
            .document()
            .and_then(|d| d.get_element_by_id("results"))
    {
        results.scroll_into_view();
    }
}

/// Back to the prompt (after choosing a reference from the results).
fn focus_prompt() {
    use wasm_bindgen::JsCast;
    if let Some(prompt) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("prompt"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = prompt.focus();
    }
}

/// Drop zone and file picker for the starting image, its preview and the strength slider.
#[component]
fn ReferencePicker(
    reference: RwSignal<Option<UploadInfo>>,
    strength: RwSignal<f32>,
) -> impl IntoView {
    use wasm_bindgen::JsCast;
    let session = use_session();
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let dragging = RwSignal::new(false);
    let error = RwSignal::new(None::<Key>);
    let send = move |file: web_sys::File| {
        let Some(form) = crate::util::file_form(&file) else {
            return;
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match session.upload::<UploadInfo>("/v1/uploads", &form).await {
                Ok(info) => reference.set(Some(info)),
                Err(err) => error.set(Some(match err.code() {
                    Some(ErrorCode::ValidationFailed) => Key::ErrUploadInvalid,
                    _ => err.message(),
                })),
            }
            busy.set(false);
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            send(file);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            send(file);
        }
    };
    view! {
        <div class="field">
            <span class="field-label">{t(Key::ReferenceLabel)} <span class="muted">" (" {t(Key::Optional)} ")"</span></span>
            {move || match reference.get() {
                Some(info) => view! {
                    <div class="reference">
                        <img class="reference-preview" src=info.url.clone() alt=t(Key::ReferenceLabel) />
                        <div class="reference-controls">
                            <label for="strength">{t(Key::StrengthLabel)} ": " <strong>{move || format!("{:.2}", strength.get())}</strong></label>
                            <input id="strength" type="range" min="0.05" max="1" step="0.05"
                                aria-describedby="strength-hint"
                                prop:value=move || strength.get().to_string()
                                on:input=move |ev| strength.set(event_target_value(&ev).parse().unwrap_or(0.6)) />
                            <p class="hint" id="strength-hint">{t(Key::StrengthHint)}</p>
                            <button type="button" class="button button-small button-ghost" on:click=move |_| reference.set(None)>{t(Key::ReferenceRemove)}</button>
                        </div>
                    </div>
                }.into_any(),
                None => view! {
                    <label class="dropzone" class:dropzone-active=move || dragging.get() for="reference-file"
                        on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                        on:dragleave=move |_| dragging.set(false)
                        on:drop=on_drop>
                        <input id="reference-file" type="file" accept="image/png,image/jpeg,image/webp" class="visually-hidden" on:change=on_pick />
                        <span>{move || tr(i18n.locale.get(), if busy.get() { Key::ReferenceUploading } else { Key::ReferenceHint })}</span>
                    </label>
                }.into_any(),
            }}
            <p class="error-text" role="alert">{move || error.get().map(|k| tr(i18n.locale.get(), k))}</p>
        </div>
    }
}
