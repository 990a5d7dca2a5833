//! Where the console sends requests and how they authenticate, persisted in
//! the browser.
//!
//! An IAM token is kept in `sessionStorage` (gone when the tab closes) unless
//! the user asks to remember it, in which case it goes to `localStorage`.
//! AK/SK is deliberately not offered: a secret key does not belong in a
//! browser; the gateway signs instead.
//!
//! The operator token (a coc-gateway personal token, sent as
//! `Authorization: Bearer`) is kept by the same rules under its own key and
//! its own "remember" choice: it says who operates, not how the gateway
//! reaches COC, so it combines with either authentication mode.

use coc_core::{Auth, Endpoint};

use crate::api::{ApiClient, page_origin};
use crate::storage::{self, Area};

const SETTINGS_KEY: &str = "coc.settings";
const TOKEN_KEY: &str = "coc.token";
const OPERATOR_TOKEN_KEY: &str = "coc.operator-token";

pub use coc_console_model::record::{AuthMode, DEFAULT_POLL_SECS, POLL_CHOICES, SettingsRecord};

/// The console's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Gateway base URL; empty means the page's own origin.
    pub gateway_url: String,
    /// Authentication mode.
    pub auth: AuthMode,
    /// Keep the token across browser restarts.
    pub remember_token: bool,
    /// Polling interval for active tickets, seconds.
    pub poll_secs: u32,
    /// The IAM token; stored separately, never with the other settings.
    pub token: String,
    /// The operator's personal token for a gateway in tokens mode; stored
    /// separately like the IAM token.
    pub operator_token: String,
    /// Keep the operator token across browser restarts.
    pub remember_operator_token: bool,
    /// Where times are shown (see `SettingsRecord::time_zone`).
    pub time_zone: String,
    /// The language (see `SettingsRecord::lang`).
    pub lang: String,
    /// Desktop notifications (see `SettingsRecord::notify`).
    pub notify: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            gateway_url: String::new(),
            auth: AuthMode::Gateway,
            remember_token: false,
            poll_secs: DEFAULT_POLL_SECS,
            token: String::new(),
            operator_token: String::new(),
            remember_operator_token: false,
            time_zone: String::new(),
            lang: String::new(),
            notify: false,
        }
    }
}

impl Settings {
    /// Loads from the browser, falling back to defaults.
    pub fn load() -> Self {
        let r = storage::read::<SettingsRecord>(Area::Local, SETTINGS_KEY)
            .unwrap_or_default()
            .sanitized();
        Settings {
            token: storage::get(area(r.remember_token), TOKEN_KEY).unwrap_or_default(),
            operator_token: storage::get(area(r.remember_operator_token), OPERATOR_TOKEN_KEY)
                .unwrap_or_default(),
            gateway_url: r.gateway_url,
            auth: r.auth,
            remember_token: r.remember_token,
            remember_operator_token: r.remember_operator_token,
            poll_secs: r.poll_secs,
            time_zone: r.time_zone,
            lang: r.lang,
            notify: r.notify,
        }
    }

    /// Saves to the browser; each token goes where its "remember" choice
    /// says and is removed from the other area, never into the record.
    pub fn save(&self) {
        storage::write(
            Area::Local,
            SETTINGS_KEY,
            &SettingsRecord {
                gateway_url: self.gateway_url.clone(),
                auth: self.auth,
                remember_token: self.remember_token,
                remember_operator_token: self.remember_operator_token,
                poll_secs: self.poll_secs,
                time_zone: self.time_zone.clone(),
                lang: self.lang.clone(),
                notify: self.notify,
            },
        );
        let iam = (self.auth == AuthMode::Token).then_some(self.token.as_str());
        keep_secret(TOKEN_KEY, iam, self.remember_token);
        keep_secret(
            OPERATOR_TOKEN_KEY,
            Some(self.operator_token.trim()),
            self.remember_operator_token,
        );
    }

    /// The gateway URL in effect.
    pub fn effective_url(&self) -> String {
        if self.gateway_url.trim().is_empty() {
            page_origin()
        } else {
            self.gateway_url.trim().to_owned()
        }
    }

    /// The endpoint these settings describe, or why there is none.
    pub fn endpoint(&self) -> Result<Endpoint, coc_core::Error> {
        let auth = match self.auth {
            AuthMode::Gateway => Auth::None,
            AuthMode::Token => Auth::Token(self.token.clone()),
        };
        Endpoint::new(&self.effective_url(), auth)?.with_operator_token(&self.operator_token)
    }

    /// A client for these settings.
    pub fn client(&self) -> Result<ApiClient, coc_core::Error> {
        self.endpoint().map(ApiClient::new)
    }
}

fn area(remember: bool) -> Area {
    if remember { Area::Local } else { Area::Session }
}

/// Stores a token in the area `remember` picks and removes it from the
/// other one (unticking "remember" must not leave a copy behind); `None`
/// or empty removes it from both.
fn keep_secret(key: &str, value: Option<&str>, remember: bool) {
    storage::remove(area(!remember), key);
    match value.filter(|v| !v.is_empty()) {
        Some(v) => storage::set(area(remember), key, v),
        None => storage::remove(area(remember), key),
    }
}
