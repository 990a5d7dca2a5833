//! Fault injection for the COC routes: latency, 500s, HTML 502s and 200s,
//! dropped and truncated connections, oversize answers. Control routes are
//! never faulted, so a test can always turn the faults off again.
//!
//! Faults are decided before the request reaches the service, and all but
//! one keep it from the service, so a faulted OperateExecution is not
//! applied (and does not appear in the operation log). The exception is
//! `truncate_rate`: the service handles the request and the answer breaks
//! off halfway, which is the case where the caller cannot know the outcome.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{self, CocError};

/// Fault knobs; all off by default. Rates are probabilities from 0 to 1,
/// drawn independently per request in the order drop, truncate, HTML 502,
/// HTML 200, oversize, error.
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
    /// Serve the request (an operation is applied), then send the status,
    /// the headers and half the body, and break the connection off.
    pub truncate_rate: f64,
    /// Answer 200 with an HTML page, as a captive portal or a misrouted
    /// load balancer would.
    pub html_200_rate: f64,
    /// Answer 200 with a 1 GiB body (streamed, never held in memory).
    pub oversize_rate: f64,
}

impl Faults {
    /// Checks that every rate is a number from 0 to 1.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("html_502_rate", self.html_502_rate),
            ("drop_rate", self.drop_rate),
            ("truncate_rate", self.truncate_rate),
            ("html_200_rate", self.html_200_rate),
            ("oversize_rate", self.oversize_rate),
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
    Truncate,
    Html502,
    Html200,
    Oversize,
    Error,
}

/// The size of the `oversize_rate` answer.
pub const OVERSIZE_BYTES: u64 = 1 << 30;

/// The page a captive portal answers everything with.
pub const HTML_200_BODY: &str = "<!doctype html><html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1></body></html>";

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
        Action::Truncate => {
            tracing::info!(path = %req.uri().path(), "fault: truncating the answer");
            truncated(next.run(req).await).await
        }
        Action::Html200 => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            HTML_200_BODY,
        )
            .into_response(),
        Action::Oversize => oversize(),
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

/// `served` with its full `Content-Length` but only the first half of its
/// body, then an error: hyper closes the connection mid-body.
async fn truncated(served: Response) -> Response {
    let (mut parts, body) = served.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return dropped_connection();
    };
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, bytes.len().into());
    // The pause lets hyper flush the head and the half out before the
    // error makes it abandon the connection (it drops what is unflushed).
    let stream =
        futures_util::stream::once(async { Ok(half) }).chain(futures_util::stream::once(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "simulated truncated answer",
            ))
        }));
    let mut response = Response::from_parts(parts, Body::from_stream(stream));
    response.extensions_mut().insert(Dropped);
    response
}

/// A 200 that declares and streams [`OVERSIZE_BYTES`] of JSON-looking
/// bytes, a MiB at a time.
fn oversize() -> Response {
    const CHUNK: usize = 1 << 20;
    let chunk = Bytes::from(vec![b' '; CHUNK]);
    let first = Bytes::from_static(b"{\"data\":\"");
    let chunks = (OVERSIZE_BYTES as usize - first.len()) / CHUNK;
    let rest = OVERSIZE_BYTES as usize - first.len() - chunks * CHUNK;
    let stream = futures_util::stream::iter(
        std::iter::once(first)
            .chain(std::iter::repeat_n(chunk, chunks))
            .chain(std::iter::once(Bytes::from(vec![b' '; rest])))
            .map(Ok::<Bytes, std::io::Error>),
    );
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, OVERSIZE_BYTES.into());
    response
}

/// Marks a response that will drop its connection (for the request log).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dropped;
