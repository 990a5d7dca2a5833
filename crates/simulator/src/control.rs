//! Control routes under `/__sim/`, for tests and demos. Never faulted and
//! never behind AK/SK.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use crate::routes::json_response;
use crate::{Clock, Faults, Simulator, seed};

fn control_error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(
        status,
        &json!({"error_code": "SIM.CONTROL", "error_msg": message.into()}),
    )
}

pub(crate) fn control_routes() -> Router<Simulator> {
    Router::new()
        .route("/__sim/faults", get(get_faults).put(put_faults))
        .route("/__sim/clock", get(clock))
        .route("/__sim/advance", post(advance))
        .route("/__sim/reset", post(reset))
        .route("/__sim/info", get(info))
        .route("/__sim/tickets/{execution_id}/operations", get(operations))
}

async fn get_faults(State(sim): State<Simulator>) -> Response {
    json_response(StatusCode::OK, &sim.faults())
}

async fn put_faults(State(sim): State<Simulator>, body: Bytes) -> Response {
    let faults: Faults = match serde_json::from_slice(&body) {
        Ok(f) => f,
        Err(e) => {
            return control_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "expected {{\"latency_ms\", \"error_rate\", \"html_502_rate\", \"drop_rate\", \"truncate_rate\", \"html_200_rate\", \"oversize_rate\"}}: {e}"
                ),
            );
        }
    };
    if let Err(e) = faults.validate() {
        return control_error(StatusCode::BAD_REQUEST, e);
    }
    sim.set_faults(faults);
    json_response(StatusCode::OK, &sim.faults())
}

fn clock_body(sim: &Simulator) -> serde_json::Value {
    let (mode, start_ms) = match sim.clock() {
        Clock::Wall => ("wall", None),
        Clock::Manual { start_ms } => ("manual", Some(start_ms)),
    };
    json!({"mode": mode, "now_ms": sim.now_ms(), "start_ms": start_ms})
}

async fn clock(State(sim): State<Simulator>) -> Response {
    json_response(StatusCode::OK, &clock_body(&sim))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    ms: u64,
}

async fn advance(State(sim): State<Simulator>, body: Bytes) -> Response {
    let Advance { ms } = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => {
            return control_error(
                StatusCode::BAD_REQUEST,
                format!("expected {{\"ms\": <milliseconds>}}: {e}"),
            );
        }
    };
    match sim.try_advance(ms) {
        Ok(_) => json_response(StatusCode::OK, &clock_body(&sim)),
        Err(e) => control_error(StatusCode::CONFLICT, e.to_string()),
    }
}

async fn reset(State(sim): State<Simulator>) -> Response {
    sim.reset();
    json_response(
        StatusCode::OK,
        &json!({"tickets": sim.ticket_count(), "clock": clock_body(&sim)}),
    )
}

async fn info(State(sim): State<Simulator>) -> Response {
    let per_status: serde_json::Map<String, serde_json::Value> = seed::TICKET_PER_STATUS
        .iter()
        .map(|(s, id)| ((*s).to_owned(), json!(id)))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({
            "seed": sim.seed(),
            "clock": clock_body(&sim),
            "ticket_count": sim.ticket_count(),
            "tickets": {
                "per_status": per_status,
                "batch_running": seed::TICKET_BATCH_RUNNING,
                "rate_control": seed::TICKET_RATE_CONTROL,
                "large": seed::TICKET_LARGE,
                "xss": seed::TICKET_XSS,
                "child": seed::TICKET_CHILD,
            },
            "documents": sim.documents(),
        }),
    )
}

async fn operations(State(sim): State<Simulator>, Path(id): Path<String>) -> Response {
    json_response(StatusCode::OK, &sim.operations(&id))
}
