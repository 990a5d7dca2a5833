//! The routed pages: open a ticket, the ticket, settings.

use coc_core::ExecutionId;
use coc_i18n::tr;
use coc_i18n::view;
use leptos::prelude::*;

use coc_console_model::list::{Carry, ticket_href};
use coc_console_model::zone::Zone;
use leptos_router::hooks::use_navigate;

use crate::api::{ApiClient, page_origin};
use crate::errors::ErrorPanel;
use crate::fmt;
use crate::route::{self, Embed};
use crate::set_title;
use crate::settings::{AuthMode, POLL_CHOICES, Settings};
use crate::status::{StatusBadge, status_class, status_label};
use crate::storage::{self, RecentTicket};
use crate::ticket::{TicketEvent, TicketView};
use crate::widgets::{flag, text};
use coc_console_model::status::{favicon_url, notice, notifies};

pub(crate) const APP: &str = tr!("COC console");

/// Start page: an id field validated as you type, and recent tickets.
#[component]
pub fn OpenPage() -> impl IntoView {
    set_title(&tr!("Open a ticket · {APP}"));
    let input = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let parsed = move || {
        let v = input.get();
        let v = v.trim();
        if v.is_empty() {
            Err(String::new())
        } else {
            ExecutionId::parse(v).map_err(|e| e.to_string())
        }
    };
    let problem = move || match parsed() {
        Err(e) if !e.is_empty() => Some(e),
        Err(_) if touched.get() => {
            Some(tr!("Enter a ticket id, e.g. EX2025070121014501xxxxxx.").to_owned())
        }
        _ => None,
    };
    let navigate = use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if let Ok(id) = untrack(parsed) {
            navigate(
                &route::href(&ticket_href(id.as_str(), Default::default())),
                Default::default(),
            );
        }
    };
    let recent = RwSignal::new(storage::recent());
    let now = js_sys::Date::now();
    view! {
        <section class="coc-card coc-narrow coc-open">
            <h1>"Open a ticket"</h1>
            <form class="coc-open-form" on:submit=on_submit novalidate=true>
                <label for="coc-open-id" class="coc-label">"Ticket id"</label>
                <div class="coc-input-row">
                    <input
                        id="coc-open-id"
                        name="execution_id"
                        class="coc-input coc-mono"
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="EX2025070121014501xxxxxx"
                        aria-invalid=text(move || problem().is_some().to_string())
                        aria-describedby="coc-open-id-help"
                        prop:value=text(move || input.get())
                        on:input=move |ev| input.set(event_target_value(&ev))
                        on:blur=move |_| touched.set(true)
                    />
                    <button type="submit" class="coc-btn coc-btn-primary" aria-disabled=text(move || parsed().is_err().to_string())>
                        "Open"
                    </button>
                </div>
                <p id="coc-open-id-help" class=text(move || if problem().is_some() { "coc-field-error".to_owned() } else { "coc-muted".to_owned() }) aria-live="polite">
                    {text(move || problem().unwrap_or_else(|| tr!("The id from the COC console or from the API, e.g. EX2025070121014501xxxxxx.").to_owned()))}
                </p>
            </form>
        </section>
        <section class="coc-card coc-narrow coc-recent" aria-label="Recent tickets">
            <div class="coc-section-head">
                <h2>"Recent tickets"</h2>
                <button type="button" class="coc-btn coc-btn-small" hidden=flag(move || recent.with(Vec::is_empty)) on:click=crate::widgets::click(move |_| {
                    storage::clear_recent();
                    recent.set(Vec::new());
                })>"Clear"</button>
            </div>
            <Show
                when=move || recent.with(|list| !list.is_empty())
                fallback=|| view! { <p class="coc-empty">"Tickets you open are listed here, in this browser only."</p> }
            >
                <ul class="coc-recent-list">
                    <For each=move || recent.get() key=|r| r.id.clone() let(r)>
                        <RecentRow r now />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// One recent ticket: its id as a link, job, status when last seen, and
/// how long ago.
#[component]
fn RecentRow(r: RecentTicket, now: f64) -> impl IntoView {
    let status = r
        .status
        .as_deref()
        .map(coc_core::ExecutionStatus::from_wire);
    view! {
        <li class="coc-recent-item">
            <a class="coc-mono" href=route::href(&ticket_href(&r.id, Default::default()))>{r.id.clone()}</a>
            <span class="coc-recent-job">{r.job.clone().unwrap_or_default()}</span>
            {status.map(|s| view! { <StatusBadge status=Some(s) /> })}
            <span class="coc-rel">{fmt::relative(r.seen_at as i64, now)}</span>
        </li>
    }
}

/// `/executions/{id}`: the ticket view, plus what belongs to the page: the
/// tab title and the recent list.
#[component]
pub fn TicketPage() -> impl IntoView {
    // The view follows the last valid id; an invalid one is refused here,
    // at the route, and never reaches it.
    let id = route::FollowedId::new(route::ticket_id());
    let settings = expect_context::<RwSignal<Settings>>();
    let client = client_memo(settings);
    let poll = settings.with_untracked(|s| s.poll_secs);
    let me = expect_context::<crate::operator::Operator>().0;
    // A ticket that is to notify keeps being watched from a background tab.
    let shown = crate::widgets::page_visible();
    let visible = Signal::derive(move || {
        shown.get() || settings.with(|s| s.notify) && crate::notify::allowed()
    });

    set_title(&format!(
        "{} · {APP}",
        id.current().map(|i| i.to_string()).unwrap_or_default()
    ));
    on_cleanup(|| crate::set_icon(None));
    let job = StoredValue::new(String::new());
    let on_event = Callback::new(move |ev: TicketEvent| match ev {
        TicketEvent::Loaded {
            execution_id,
            status,
            document_name,
        } => {
            set_title(&format!(
                "{} · {execution_id} · {APP}",
                status_label(status.as_ref())
            ));
            crate::set_icon(Some(&favicon_url(status_class(status.as_ref()))));
            job.set_value(document_name.clone().unwrap_or_default());
            storage::remember_recent(RecentTicket {
                id: execution_id,
                job: document_name,
                status: status.map(|s| s.as_str().to_owned()),
                seen_at: js_sys::Date::now(),
            });
        }
        TicketEvent::StatusChanged {
            execution_id, to, ..
        } => {
            set_title(&format!(
                "{} · {execution_id} · {APP}",
                status_label(to.as_ref())
            ));
            crate::set_icon(Some(&favicon_url(status_class(to.as_ref()))));
            if settings.with_untracked(|s| s.notify) && notifies(to.as_ref()) {
                let (title, body) = notice(&execution_id, to.as_ref(), &job.get_value());
                crate::notify::show(&title, &body, &execution_id);
            }
        }
        TicketEvent::Failed {
            execution_id,
            operation: None,
            failure,
        } => {
            set_title(&format!("{} · {execution_id} · {APP}", failure.title()));
        }
        TicketEvent::PollIntervalChanged(s) => settings.update(|st| {
            st.poll_secs = s;
            st.save();
        }),
        _ => {}
    });

    // Embedded, the ticket is the whole page: no way out of it in the
    // portal's frame.
    let back = (!Embed::get()).then(|| {
        storage::get(storage::Area::Session, crate::list::LAST_LIST_KEY)
            .unwrap_or_else(|| "/executions".to_owned())
    });
    // Only validity and the client decide the branch: moving from one
    // ticket to another keeps the view mounted and changes its id signal.
    move || match (id.ok.get(), client.get()) {
        (false, _) => (move || {
            crate::drop_early_header();
            id.parsed.get().err().map(|e| {
                view! {
                    <section class="coc-card coc-narrow" data-role="bad-id">
                        <ErrorPanel failure=crate::api::ApiFailure::Core(e) heading="Ticket id:" />
                    </section>
                }
            })
        })
        .into_any(),
        (true, Err(e)) => {
            crate::drop_early_header();
            settings_problem(e)
        }
        (true, Ok(c)) => {
            let Some(execution_id) = id.signal() else {
                return ().into_any();
            };
            view! {
                {back.clone().map(|href| view! { <p class="coc-back"><a href=href>"‹ All tickets"</a></p> })}
                <TicketView execution_id client=c poll_secs=poll on_event me visible />
            }
            .into_any()
        }
    }
}

/// Settings that make no client, with the way to fix them.
pub(crate) fn settings_problem(e: coc_core::Error) -> AnyView {
    view! {
        <section class="coc-card coc-narrow">
            <ErrorPanel failure=crate::api::ApiFailure::Core(e) heading="Settings:" />
            // Embedded, Settings opens in a tab of its own: the portal's
            // frame shows the ticket and nothing else.
            <p>
                {if Embed::get() {
                    view! { <a href="/settings" target="_blank" rel="noopener">"Fix the settings (opens a new tab)"</a> }.into_any()
                } else {
                    view! { <a href="/settings">"Fix the settings"</a> }.into_any()
                }}
            </p>
        </section>
    }
    .into_any()
}

/// The API client the settings describe; a new one only when the endpoint
/// changes (not on a new poll interval).
pub(crate) fn client_memo(
    settings: RwSignal<Settings>,
) -> Memo<Result<ApiClient, coc_core::Error>> {
    Memo::new(move |prev: Option<&Result<ApiClient, coc_core::Error>>| {
        let endpoint = settings.with(Settings::endpoint);
        match (prev, endpoint) {
            (Some(Ok(c)), Ok(e)) if *c.endpoint() == e => Ok(c.clone()),
            (_, e) => e.map(ApiClient::new),
        }
    })
}

/// Why `value` cannot be the time zone, if it cannot.
fn zone_problem(value: &str) -> Option<String> {
    match Zone::parse(value) {
        Err(e) => Some(e.to_string()),
        Ok(z) if !fmt::knows(&z) => Some(tr!(
            "This browser does not know the time zone \"{}\".",
            value.trim()
        )),
        Ok(_) => None,
    }
}

/// Gateway URL, authentication, polling and the time zone.
#[component]
pub fn SettingsPage() -> impl IntoView {
    set_title(&tr!("Settings · {APP}"));
    let settings = expect_context::<RwSignal<Settings>>();
    let draft = RwSignal::new(settings.get_untracked());
    let saved = RwSignal::new(false);
    // Notifications are on, but the browser does not let this page notify.
    let refused = RwSignal::new(settings.with_untracked(|s| s.notify) && !crate::notify::allowed());
    // Empty when the draft is usable.
    let problem = crate::widgets::memo_text(move || {
        draft.with(|d| {
            d.endpoint()
                .err()
                .map(|e| e.to_string())
                .or_else(|| zone_problem(&d.time_zone))
                .unwrap_or_default()
        })
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !problem.with_untracked(String::is_empty) {
            return;
        }
        let mut d = draft.get_untracked();
        // Stored as a link carries it: `UTC`, a name, or empty for local.
        let zone = Zone::parse(&d.time_zone).unwrap_or_default();
        d.time_zone = zone.param().unwrap_or_default().to_owned();
        let moved = Zone::parse(&settings.with_untracked(|s| s.time_zone.clone()))
            .unwrap_or_default()
            != zone
            || fmt::zone() != zone;
        let relang = settings.with_untracked(|s| s.lang != d.lang);
        // Asked here, on the Save gesture, and only when it is needed.
        let ask = d.notify && !crate::notify::allowed();
        d.save();
        settings.set(d);
        saved.set(true);
        // Every time on every page is laid out in the page's zone, and
        // each language is a build of its own: a new zone or language
        // starts the page again, in it (once the browser has answered).
        let again = (moved || relang).then(|| {
            Carry {
                embed: Embed::get(),
                tz: zone.param(),
            }
            .href("/settings")
        });
        if ask || again.is_some() {
            leptos::task::spawn_local(async move {
                if ask {
                    refused.set(!crate::notify::ask().await);
                }
                if let (Some(href), Some(w)) = (again, web_sys::window()) {
                    let _ = w.location().replace(&href);
                }
            });
        }
    };
    let edit = move |f: &dyn Fn(&mut Settings)| {
        draft.update(|d| f(d));
        saved.set(false);
    };
    let origin = page_origin();
    let poll_options = POLL_CHOICES
        .iter()
        .map(|s| view! { <option value=s.to_string()>{tr!("every {s} s")}</option> })
        .collect_view();
    view! {
        <section class="coc-card coc-narrow coc-settings">
            <h1>"Settings"</h1>
            <form on:submit=save novalidate=true>
                <label class="coc-label" for="coc-set-url">"Gateway URL"</label>
                <input
                    id="coc-set-url"
                    class="coc-input coc-mono"
                    type="url"
                    placeholder=origin.clone()
                    aria-describedby="coc-set-url-help"
                    prop:value=text(move || draft.with(|d| d.gateway_url.clone()))
                    on:input=move |ev| { let v = event_target_value(&ev); edit(&|d| d.gateway_url = v.clone()) }
                />
                <p id="coc-set-url-help" class="coc-muted">
                    {tr!("Leave empty to use this page's origin ({origin}). Another origin must allow this one in its CORS settings.")}
                </p>

                <fieldset class="coc-fieldset">
                    <legend class="coc-label">"Authentication"</legend>
                    <label class="coc-radio">
                        <input type="radio" name="coc-auth" value="gateway"
                            prop:checked=flag(move || draft.with(|d| d.auth == AuthMode::Gateway))
                            on:change=move |_| edit(&|d| d.auth = AuthMode::Gateway) />
                        <span>"The gateway signs requests (no credentials in the browser)"</span>
                    </label>
                    <label class="coc-radio">
                        <input type="radio" name="coc-auth" value="token"
                            prop:checked=flag(move || draft.with(|d| d.auth == AuthMode::Token))
                            on:change=move |_| edit(&|d| d.auth = AuthMode::Token) />
                        <span>"Send an IAM token I paste (X-Auth-Token)"</span>
                    </label>
                    <div class="coc-token" hidden=flag(move || draft.with(|d| d.auth != AuthMode::Token))>
                        <label class="coc-label" for="coc-set-token">"IAM token"</label>
                        <input
                            id="coc-set-token"
                            class="coc-input coc-mono"
                            type="password"
                            autocomplete="off"
                            prop:value=text(move || draft.with(|d| d.token.clone()))
                            on:input=move |ev| { let v = event_target_value(&ev); edit(&|d| d.token = v.clone()) }
                        />
                        <label class="coc-check">
                            <input type="checkbox"
                                prop:checked=flag(move || draft.with(|d| d.remember_token))
                                on:change=move |ev| { let c = event_target_checked(&ev); edit(&|d| d.remember_token = c) } />
                            <span>"Remember the token in this browser (otherwise it is forgotten when the tab closes)"</span>
                        </label>
                    </div>
                </fieldset>

                <div class="coc-fieldset coc-operator-token">
                    <label class="coc-label" for="coc-set-operator-token">"Operator token"</label>
                    <input
                        id="coc-set-operator-token"
                        class="coc-input coc-mono"
                        type="password"
                        autocomplete="off"
                        aria-describedby="coc-set-operator-token-help"
                        prop:value=text(move || draft.with(|d| d.operator_token.clone()))
                        on:input=move |ev| { let v = event_target_value(&ev); edit(&|d| d.operator_token = v.clone()) }
                    />
                    <p id="coc-set-operator-token-help" class="coc-muted">
                        "For a gateway that knows operators by personal token (coc-gateway operators add). Sent as Authorization: Bearer; it says who you are, whatever the authentication above. Leave empty otherwise."
                    </p>
                    <label class="coc-check">
                        <input type="checkbox" name="remember-operator-token"
                            prop:checked=flag(move || draft.with(|d| d.remember_operator_token))
                            on:change=move |ev| { let c = event_target_checked(&ev); edit(&|d| d.remember_operator_token = c) } />
                        <span>"Remember the operator token in this browser (otherwise it is forgotten when the tab closes)"</span>
                    </label>
                </div>

                <label class="coc-label" for="coc-set-poll">"Refresh active tickets"</label>
                <select id="coc-set-poll" class="coc-select"
                    prop:value=text(move || draft.with(|d| d.poll_secs.to_string()))
                    on:change=move |ev| {
                        if let Ok(s) = event_target_value(&ev).parse::<u32>() { edit(&|d| d.poll_secs = s) }
                    }>
                    {poll_options}
                </select>

                <label class="coc-label" for="coc-set-tz">"Time zone"</label>
                <input
                    id="coc-set-tz"
                    class="coc-input coc-mono"
                    type="text"
                    placeholder="local"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="coc-set-tz-help"
                    prop:value=text(move || draft.with(|d| d.time_zone.clone()))
                    on:input=move |ev| { let v = event_target_value(&ev); edit(&|d| d.time_zone = v.clone()) }
                />
                <p id="coc-set-tz-help" class="coc-muted">
                    "local (this browser's), UTC, or an IANA name such as Asia/Shanghai. Every link the console makes carries it as ?tz=, and a link's zone wins over this one."
                </p>

                <label class="coc-label" for="coc-set-lang">"Language"</label>
                <select id="coc-set-lang" class="coc-select" aria-describedby="coc-set-lang-help"
                    prop:value=text(move || draft.with(|d| d.lang.clone()))
                    on:change=move |ev| { let v = event_target_value(&ev); edit(&|d| d.lang = v.clone()) }>
                    <option value="">"The browser's"</option>
                    // Each language's name in itself, as language menus show them.
                    <option value="en" lang="en">"English"</option>
                    <option value="zh-CN" lang="zh-CN">"简体中文"</option>
                </select>
                <p id="coc-set-lang-help" class="coc-muted">
                    "A link's ?lang= wins over this one. Saving a new language loads the page again in it."
                </p>

                <label class="coc-check">
                    <input type="checkbox" name="notify" aria-describedby="coc-set-notify-help"
                        prop:checked=flag(move || draft.with(|d| d.notify))
                        on:change=move |ev| { let c = event_target_checked(&ev); edit(&|d| d.notify = c) } />
                    <span>"Desktop notifications when a ticket I am watching ends or is suspended"</span>
                </label>
                <p id="coc-set-notify-help" class=text(move || if refused.get() { "coc-field-error".to_owned() } else { "coc-muted".to_owned() }) data-role="notify-help">
                    {text(move || if refused.get() {
                        tr!("This browser blocks notifications from this page: allow them in its site settings.").to_owned()
                    } else {
                        tr!("Also from a background tab. The browser asks once, on Save.").to_owned()
                    })}
                </p>

                <p class="coc-field-error" role="alert">{text(move || problem.get())}</p>
                <div class="coc-form-buttons">
                    <button type="submit" class="coc-btn coc-btn-primary">"Save"</button>
                    <button type="button" class="coc-btn" on:click=crate::widgets::click(move |_| { draft.set(Settings::default()); saved.set(false); })>
                        "Reset to defaults"
                    </button>
                    <span class="coc-saved" role="status">{text(move || if saved.get() { tr!("Saved.").to_owned() } else { String::new() })}</span>
                </div>
            </form>
        </section>
    }
}
