//! The playground: prompt and settings, live cost, submit, live progress, results.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use zimage_shared::generation::{
    AspectRatio, Capability, CreateGenerationRequest, GenerationTask, MAX_PROMPT_CHARS, MAX_SEED,
    ModelInfo, OutputFormat, Quality, TaskEvent, TaskStatus, UploadInfo,
};
use zimage_shared::prompts::{CreatePromptRequest, PromptParameters, SavedPrompt};
use zimage_shared::{ErrorCode, Page};

use crate::api;
use crate::components::form::Notice;
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
    let busy = RwSignal::new(false);
    let task = RwSignal::new(None::<GenerationTask>);
    let live = RwSignal::new(None::<TaskEvent>);
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
        busy.set(true);
        leptos::task::spawn_local(async move {
            run(session, request, task, live, error, short_of_credits).await;
            busy.set(false);
        });
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

    let reuse = move |_| {
        if let Some(current) = task.get_untracked() {
            let path = format!("/v1/generations/{}/settings", current.id);
            leptos::task::spawn_local(async move {
                if let Ok(req) = session
                    .call::<CreateGenerationRequest>("GET", &path, None)
                    .await
                {
                    form.apply(&req);
                }
            });
        }
    };

    let cancel = move |_| {
        if let Some(current) = task.get_untracked() {
            let path = format!("/v1/generations/{}/cancel", current.id);
            leptos::task::spawn_local(async move {
                match session.call::<GenerationTask>("POST", &path, None).await {
                    Ok(updated) => task.set(Some(updated)),
                    Err(err) => error.set(Some(err.message())),
                }
            });
        }
    };

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
                <div class="grid-2">
                    <div class="field">
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
                    <div class="field">
                        <label for="aspect">{t(Key::AspectLabel)}</label>
                        <select id="aspect" on:change=move |ev| form.aspect.set(event_target_value(&ev))>
                            {move || form.custom.get().map(|(w, h)| view! {
                                <option value="custom" selected=move || form.aspect.get() == "custom">{format!("{w} × {h}")}</option>
                            })}
                            {move || selected.get().map(|m| m.aspect_ratios).unwrap_or_default().into_iter().map(|r| {
                                let value = wire(&r);
                                let label = aspect_label(&value);
                                let current = value.clone();
                                view! { <option value=value selected=move || form.aspect.get() == current>{label}</option> }
                            }).collect_view()}
                        </select>
                    </div>
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
                <Show when=move || short_of_credits.get()>
                    <p><a href="/credits" class="button button-small">{t(Key::BuyCreditsLink)}</a></p>
                </Show>
                <Notice message=notice success=true />
                <div class="actions">
                    <button type="submit" class="button button-primary" disabled=move || busy.get() || models.get().is_empty() aria-busy=move || busy.get().to_string()>
                        {move || tr(i18n.locale.get(), if busy.get() { Key::Working } else { Key::Generate })}
                    </button>
                    <button type="button" class="button" on:click=save_prompt>{t(Key::SavePrompt)}</button>
                </div>
            </form>
            <section class="card results" aria-labelledby="results-heading" aria-live="polite">
                <h2 id="results-heading" class="visually-hidden">{t(Key::TaskSucceeded)}</h2>
                <Show when=move || task.get().is_none()>
                    <p class="empty">{t(Key::ResultsEmpty)}</p>
                </Show>
                {move || task.get().map(|current| {
                    let status = live.get().filter(|e| e.task_id == current.id && !current.status.is_final()).map(|e| e.status).unwrap_or(current.status);
                    let progress = live.get().filter(|e| e.task_id == current.id).and_then(|e| e.progress).or(current.progress);
                    view! {
                        <div class="task-status" data-status=status.as_str()>
                            <p class="status-line" role="status">{t(status_key(status))}</p>
                            <Show when=move || !status.is_final()>
                                <progress max="1" value=progress.unwrap_or(0.0).to_string() aria-label=t(Key::TaskRunning)></progress>
                                <button type="button" class="button button-small button-ghost" on:click=cancel>{t(Key::CancelTask)}</button>
                            </Show>
                        </div>
                        <div class="result-grid">
                            {current.images.iter().map(|image| view! { <ResultImage image=image.clone() prompt=current.prompt.clone() /> }).collect_view()}
                        </div>
                        <Show when=move || status.is_final()>
                            <div class="actions">
                                <button type="button" class="button button-small" on:click=reuse>{t(Key::Reuse)}</button>
                            </div>
                        </Show>
                    }
                })}
            </section>
        </div>
    }
}

/// Submits, then follows the task live until it finishes.
async fn run(
    session: Session,
    request: CreateGenerationRequest,
    task: RwSignal<Option<GenerationTask>>,
    live: RwSignal<Option<TaskEvent>>,
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
    let created = match created {
        Ok(created) => created,
        Err(err) => {
            if err.code() == Some(ErrorCode::InsufficientCredits) {
                short_of_credits.set(true);
            }
            error.set(Some(match err.code() {
                Some(ErrorCode::RateLimited) if err.status == 429 => Key::ErrTooManyTasks,
                _ => err.message(),
            }));
            return;
        }
    };
    let id = created.id;
    live.set(None);
    task.set(Some(created));
    session.reload_credits().await;
    if let Some(done) =
        crate::live::follow_task(session, id, move |event| live.set(Some(event))).await
        && task.get_untracked().is_some_and(|t| t.id == id)
    {
        task.set(Some(done));
    }
    session.reload_credits().await;
}

/// One generated image with download and favourite.
#[component]
fn ResultImage(
    image: zimage_shared::generation::GeneratedImageInfo,
    prompt: String,
) -> impl IntoView {
    let session = use_session();
    let favorite = RwSignal::new(false);
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
                favorite.set(on);
            }
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
            </figcaption>
        </figure>
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
        let Ok(form) = web_sys::FormData::new() else {
            return;
        };
        if form
            .append_with_blob_and_filename("file", &file, &file.name())
            .is_err()
        {
            return;
        }
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
