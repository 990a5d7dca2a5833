//! A simulator on 127.0.0.1 (port 0) and a small JSON client for it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use coc_simulator::{Config, Simulator};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub struct Server {
    pub base: String,
    pub sim: Simulator,
    pub http: reqwest::Client,
}

/// One answer: status, headers, body as JSON (`Value::Null` when the body is
/// not JSON; `text` keeps it).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Answer {
    pub fn request_id(&self) -> &str {
        self.headers
            .get("x-request-id")
            .expect("every response carries X-request-id")
            .to_str()
            .unwrap()
    }

    pub fn error_code(&self) -> &str {
        self.json["error_code"].as_str().unwrap_or_default()
    }

    pub fn error_msg(&self) -> &str {
        self.json["error_msg"].as_str().unwrap_or_default()
    }
}

/// An HTTP client. When this crate's tests are built together with the
/// gateway's (`cargo test --workspace`), feature unification gives reqwest
/// the gateway's `rustls-no-provider`, and a client then needs a
/// process-wide crypto provider even for plain http.
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub async fn start(config: Config) -> Server {
    let sim = Simulator::new(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = sim.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Server {
        base: format!("http://{addr}"),
        sim,
        http: client(),
    }
}

pub async fn start_manual() -> Server {
    start(Config::manual()).await
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        json,
        text,
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Answer {
        answer(self.http.get(self.url(path)).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        answer(
            self.http
                .post(self.url(path))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        answer(
            self.http
                .put(self.url(path))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Moves the manual clock through the control route.
    pub async fn advance(&self, ms: u64) {
        let a = self.post("/__sim/advance", &json!({ "ms": ms })).await;
        assert_eq!(a.status, 200, "{}", a.text);
    }

    pub async fn reset(&self) {
        let a = self.post("/__sim/reset", &json!({})).await;
        assert_eq!(a.status, 200, "{}", a.text);
    }

    pub async fn ticket(&self, id: &str) -> Value {
        let a = self.get(&format!("/v1/executions/{id}")).await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.json["data"].clone()
    }

    pub async fn status(&self, id: &str) -> String {
        self.ticket(id).await["status"].as_str().unwrap().to_owned()
    }

    pub async fn operate(&self, id: &str, op: &str) -> Answer {
        self.post(
            "/v1/executions",
            &json!({ "execution_id": id, "operate_type": op }),
        )
        .await
    }

    pub async fn execute(&self, document_id: &str, body: &Value) -> String {
        let a = self
            .post(&format!("/v1/documents/{document_id}"), body)
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.json["data"].as_str().unwrap().to_owned()
    }

    pub async fn steps(&self, id: &str) -> Vec<Value> {
        let a = self
            .get(&format!("/v1/executions/{id}/steps?limit=100"))
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.json["data"].as_array().unwrap().clone()
    }

    /// Every instance of a step, paging by 100.
    pub async fn instances(&self, step_id: &str) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let a = self
                .get(&format!(
                    "/v1/executions/instances?execution_step_id={step_id}&limit=100&offset={}",
                    out.len()
                ))
                .await;
            assert_eq!(a.status, 200, "{}", a.text);
            let page = a.json["data"].as_array().unwrap().clone();
            let total = a.json["total"].as_u64().unwrap() as usize;
            out.extend(page);
            if out.len() >= total {
                return out;
            }
        }
    }

    /// Every ticket matching `query` (may be empty), paging by `page`.
    pub async fn list_all(&self, query: &str, page: usize) -> (Vec<Value>, u64) {
        let mut out = Vec::new();
        loop {
            let sep = if query.is_empty() { "" } else { "&" };
            let a = self
                .get(&format!(
                    "/v1/executions?{query}{sep}limit={page}&offset={}",
                    out.len()
                ))
                .await;
            assert_eq!(a.status, 200, "{}", a.text);
            let items = a.json["data"].as_array().unwrap().clone();
            let total = a.json["total"].as_u64().unwrap();
            let n = items.len();
            out.extend(items);
            if n == 0 || out.len() as u64 >= total {
                return (out, total);
            }
        }
    }

    pub async fn operations(&self, id: &str) -> Vec<Value> {
        let a = self.get(&format!("/__sim/tickets/{id}/operations")).await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.json.as_array().unwrap().clone()
    }
}
