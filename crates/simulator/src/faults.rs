//! Fault injection for the COC routes: latency, 500s, HTML 502s, dropped
//! connections. Control routes are never faulted, so a test can always turn
//! the faults off again.
//!
//! Faults are decided before the request reaches the service, so a faulted
//! OperateExecution is never applied (and never appears in the operation log).

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{self, CocError};

/// Fault knobs; all off by default. Rates are probabilities from 0 to 1,
/// drawn independently per request in the order drop, HTML 502, error.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every COC response (a non-blocking sleep).
    pub latency_ms: u64,
    /// Answer 500 with a COC error body (`COC.00050000`).
    pub error_rate: f64,
    /// Answer 502 with an HTML page, as a proxy in front of the service would.
    pub html_502_rate: f64,
    /// Close the connection without sending any response.
    pub drop_rate: f64,
}

impl Faults {
    /// Checks that every rate is a number from 0 to 1.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("html_502_rate", self.html_502_rate),
            ("drop_rate", self.drop_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be from 0 to 1, not {rate}"));
            }
        }
        Ok(())
    }
}

/// What the dice said for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Serve,
    Drop,
    Html502,
    Error,
}

/// The page nginx sends when its upstream fails.
pub const HTML_502_BODY: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Middleware: applies the current faults to one request.
pub(crate) async fn inject(State(sim): State<Simulator>, req: Request, next: Next) -> Response {
    let (latency_ms, action) = sim.roll_faults();
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
    match action {
        Action::Serve => next.run(req).await,
        Action::Drop => {
            tracing::info!(path = %req.uri().path(), "fault: dropping the connection");
            dropped_connection()
        }
        Action::Html502 => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            HTML_502_BODY,
        )
            .into_response(),
        Action::Error => CocError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: error::SYSTEM_ERROR,
            message: "system error, please try again later (simulated fault)".to_owned(),
        }
        .into_response(),
    }
}

/// A response whose body fails before its first byte. Hyper then abandons
/// the connection without writing the buffered status line or headers, so
/// the client sees the connection close with no response at all.
fn dropped_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "simulated dropped connection",
        ))
    });
    let mut response = Response::new(Body::from_stream(failing));
    response.extensions_mut().insert(Dropped);
    response
}

/// Marks a response that will drop its connection (for the request log).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dropped;
