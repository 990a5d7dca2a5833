//! The accept loop: how long a client may take, and how many may be
//! connected at once.
//!
//! `axum::serve` has neither a client timeout nor a connection cap, so a
//! client that opens sockets and sends nothing (or half a header block, or
//! half a body) held them forever, and a few hundred of them exhausted the
//! process's file descriptors; after that the listener failed every accept
//! ("Too many open files") and `/healthz` timed out. Here each connection is
//! driven by hyper's HTTP/1 connection directly, with:
//!
//! - a **header-read timeout**: from a new connection, or from the first
//!   byte of a request on a kept-alive one, to the end of its header block;
//! - a **keep-alive idle timeout**: from the end of an answer to the first
//!   byte of the next request;
//! - a **body-read timeout**: from the end of the header block to the end of
//!   the body, whoever reads it (an expired body is [`BodyTimeout`], which
//!   the API answers `408 GATEWAY.BODY_TIMEOUT`);
//! - a **connection cap** below the open-file limit: a connection over it is
//!   answered `503 GATEWAY.OVERLOADED` at once and closed, rather than left
//!   in the kernel's backlog, so a client learns at once and a load balancer
//!   can go elsewhere; the cap frees up as soon as idle connections time out.
//!
//! The two read timeouts are enforced on the socket (`TimedIo`) rather
//! than with hyper's `header_read_timeout`, because hyper starts that timer
//! when it begins waiting for a request head, so it cannot tell an idle
//! kept-alive connection from a slow header.
//!
//! It deliberately has no write timeout: a client that stops reading an
//! answer holds its connection until the upstream timeout's answer is
//! written; the cap bounds how many can.

use std::convert::Infallible;
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt as _;

use crate::error::OwnError;
use crate::server::GatewayService;

/// Default `--header-read-timeout-ms`: a browser sends its whole head in one
/// packet; 10 s covers a slow mobile link and little else.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default `--keep-alive-timeout-ms`: the console polls every few seconds,
/// so a minute keeps its connection warm without hoarding idle sockets.
pub const DEFAULT_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default `--body-read-timeout-ms`: bodies are at most 64 KiB by default.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(15);
/// The largest request head (request line and headers) accepted; hyper
/// answers `431` above it, and above 100 headers.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Descriptors one client connection may hold at worst: its socket, and an
/// upstream socket (whose other end, in simulator mode, is this process's
/// too) or an open file.
pub const FDS_PER_CONNECTION: u64 = 3;
/// Descriptors kept out of the cap for everything else: stdio, the
/// listeners, the runtime, the audit store (SQLite's three files or a
/// PostgreSQL pool), the HTTP client's idle pool and the sockets that are
/// being refused over the cap.
pub const RESERVED_FDS: u64 = 128;
/// The default cap never exceeds this, however high the open-file limit:
/// beyond it memory, not descriptors, runs out first.
pub const MAX_DEFAULT_CONNECTIONS: usize = 4096;
/// A limit that leaves room for fewer connections than this refuses to start.
pub const MIN_CONNECTIONS: usize = 8;
/// Connections over the cap that may be in the middle of being answered 503
/// at once; more than that are closed without an answer.
const REFUSALS_AT_ONCE: usize = 64;
/// How long a refused connection is drained before it is closed.
const REFUSAL_LINGER: Duration = Duration::from_secs(1);
/// A repeated warning (connections refused, accept failing) is logged at
/// most this often, with a count, so a flood cannot fill the log.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// Client-side limits of a running gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientLimits {
    /// New connection, or first byte of a request, to the end of its head.
    pub header_read_timeout: Duration,
    /// End of an answer to the first byte of the next request.
    pub keep_alive_timeout: Duration,
    /// End of the head to the end of the body.
    pub body_read_timeout: Duration,
    /// Connections served at once; `None`: derived from the open-file limit
    /// with [`default_max_connections`].
    pub max_connections: Option<usize>,
}

impl Default for ClientLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            keep_alive_timeout: DEFAULT_KEEP_ALIVE_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            max_connections: None,
        }
    }
}

/// A connection cap that does not fit under the open-file limit, or a zero
/// timeout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitsError {
    /// The cap (given or derived) does not fit under the open-file limit.
    #[error(
        "{connections} connections need up to {needed} open files ({per} each plus {RESERVED_FDS} for the rest of the gateway), \
         but the open-file limit (RLIMIT_NOFILE) is {limit}: raise it (ulimit -n) or lower --max-connections"
    )]
    TooManyConnections {
        /// The cap asked for.
        connections: usize,
        /// Descriptors it needs.
        needed: u64,
        /// Descriptors per connection.
        per: u64,
        /// The soft limit.
        limit: u64,
    },
    /// The limit leaves room for too few connections to be useful.
    #[error(
        "the open-file limit (RLIMIT_NOFILE) is {limit}, room for fewer than {MIN_CONNECTIONS} connections \
         after {RESERVED_FDS} descriptors for the rest of the gateway: raise it (ulimit -n)"
    )]
    FdLimitTooLow {
        /// The soft limit.
        limit: u64,
    },
    /// A cap of zero would refuse everyone.
    #[error("--max-connections must be at least 1")]
    ZeroConnections,
    /// A timeout of zero would close every connection at once.
    #[error("{0} must be at least 1 ms")]
    ZeroTimeout(&'static str),
}

/// The process's soft open-file limit, if it can be read.
pub fn fd_limit() -> Option<u64> {
    rlimit::getrlimit(rlimit::Resource::NOFILE)
        .ok()
        .map(|(soft, _)| soft)
}

/// The cap that fits under an open-file limit of `limit`:
/// `(limit - RESERVED_FDS) / FDS_PER_CONNECTION`, at most
/// [`MAX_DEFAULT_CONNECTIONS`].
pub fn default_max_connections(limit: u64) -> Result<usize, LimitsError> {
    let room = limit.saturating_sub(RESERVED_FDS) / FDS_PER_CONNECTION;
    let room = usize::try_from(room).unwrap_or(usize::MAX);
    if room < MIN_CONNECTIONS {
        return Err(LimitsError::FdLimitTooLow { limit });
    }
    Ok(room.min(MAX_DEFAULT_CONNECTIONS))
}

impl ClientLimits {
    /// The cap to enforce: the configured one if it fits under `fd_limit`
    /// (unknown: trusted as given), else derived from it.
    pub fn resolve(&self, fd_limit: Option<u64>) -> Result<usize, LimitsError> {
        for (name, d) in [
            ("--header-read-timeout-ms", self.header_read_timeout),
            ("--keep-alive-timeout-ms", self.keep_alive_timeout),
            ("--body-read-timeout-ms", self.body_read_timeout),
        ] {
            if d.is_zero() {
                return Err(LimitsError::ZeroTimeout(name));
            }
        }
        match (self.max_connections, fd_limit) {
            (Some(0), _) => Err(LimitsError::ZeroConnections),
            (Some(n), None) => Ok(n),
            (Some(n), Some(limit)) => {
                let needed = (n as u64)
                    .saturating_mul(FDS_PER_CONNECTION)
                    .saturating_add(RESERVED_FDS);
                if needed > limit {
                    return Err(LimitsError::TooManyConnections {
                        connections: n,
                        needed,
                        per: FDS_PER_CONNECTION,
                        limit,
                    });
                }
                Ok(n)
            }
            (None, Some(limit)) => default_max_connections(limit),
            (None, None) => Ok(MAX_DEFAULT_CONNECTIONS.min(1024)),
        }
    }
}

/// Accepts until `shutdown` completes, then lets every connection finish
/// its request in flight.
pub(crate) async fn serve(
    listener: TcpListener,
    router: GatewayService,
    limits: ClientLimits,
    max_connections: usize,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let timeouts = Timeouts {
        header: limits.header_read_timeout,
        idle: limits.keep_alive_timeout,
        body: limits.body_read_timeout,
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .keep_alive(true)
        .max_header_size(MAX_HEADER_BYTES)
        // Timed on the socket instead (see the module's doc).
        .header_read_timeout(None);
    let slots = Arc::new(Semaphore::new(max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let over_cap = RateLimitedWarn::default();
    let accept_failed = RateLimitedWarn::default();
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of descriptors or memory: retrying at once would spin
                // and log as fast as the loop turns.
                accept_failed.warn(|n| {
                    tracing::warn!(target: "coc_gateway::connections", error = %e, failures = n, "cannot accept connections")
                });
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            over_cap.warn(|n| {
                tracing::warn!(target: "coc_gateway::connections", max_connections, refused = n, "connection limit reached; refusing new connections with 503")
            });
            match Arc::clone(&refusals).try_acquire_owned() {
                Ok(permit) => {
                    tokio::spawn(refuse(stream, permit));
                }
                Err(_) => refuse_now(&stream),
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let phase = Arc::new(Phase::new(timeouts));
        let io = TokioIo::new(TimedIo::new(stream, Arc::clone(&phase)));
        let router = router.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let router = router.clone();
            let phase = Arc::clone(&phase);
            async move {
                phase.busy();
                let deadline = Instant::now() + timeouts.body;
                let mut req = req.map(|body| Body::new(TimedBody::new(body, deadline)));
                // The peer address decides whether proxy identity headers count.
                req.extensions_mut().insert(ConnectInfo(peer));
                let Ok(response) = router.oneshot(req).await;
                Ok::<_, Infallible>(response.map(|body| Finished { body, phase }))
            }
        });
        let connection = graceful.watch(builder.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(target: "coc_gateway::connections", %peer, error = %e, "connection closed");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Errors of one connection that do not stop the listener.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// The 503 for a connection over the cap.
fn overloaded_answer() -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let body = OwnError::body(
        "GATEWAY.OVERLOADED",
        "the gateway is serving as many connections as it is configured to (--max-connections); retry shortly",
        Some(&id),
    );
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         retry-after: 1\r\ncache-control: no-store\r\nx-request-id: {id}\r\nx-gateway-request-id: {id}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// When even the refusals are at their limit: what has arrived is read
/// (so that closing does not reset the answer away) and the 503 written
/// without waiting, then the socket is closed.
fn refuse_now(stream: &TcpStream) {
    let mut sink = [0u8; 4096];
    while matches!(stream.try_read(&mut sink), Ok(n) if n > 0) {}
    let _ = stream.try_write(overloaded_answer().as_bytes());
}

/// Answers a connection over the cap `503` and closes it. The request is
/// read and dropped first, for up to [`REFUSAL_LINGER`]: closing a socket
/// with unread data resets it, and the reset can destroy the answer before
/// the client reads it.
async fn refuse(stream: TcpStream, _permit: OwnedSemaphorePermit) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let answer = overloaded_answer();
    let mut stream = stream;
    let linger = async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, io::Error>(())
    };
    let _ = tokio::time::timeout(REFUSAL_LINGER, linger).await;
}

/// A warning that repeats logs at most once per [`WARN_EVERY`], with how
/// many times it happened.
#[derive(Default)]
struct RateLimitedWarn {
    count: AtomicU64,
    last: Mutex<Option<Instant>>,
}

impl RateLimitedWarn {
    fn warn(&self, log: impl FnOnce(u64)) {
        self.count.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.is_some_and(|t| now.duration_since(t) < WARN_EVERY) {
            return;
        }
        *last = Some(now);
        drop(last);
        log(self.count.swap(0, Ordering::Relaxed));
    }
}

#[derive(Debug, Clone, Copy)]
struct Timeouts {
    header: Duration,
    idle: Duration,
    body: Duration,
}

/// Where a connection is between requests, shared by its socket (which
/// enforces the read deadlines) and its service (which knows when a request
/// starts and when its answer is done).
#[derive(Debug)]
struct Phase {
    timeouts: Timeouts,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// Waiting for a request head: since the connection opened (`fresh`),
    /// since the previous answer ended, or since the head's first byte.
    Waiting {
        since: Instant,
        fresh: bool,
        started: bool,
    },
    /// A request is being served; its body has its own deadline.
    Busy,
}

impl Phase {
    fn new(timeouts: Timeouts) -> Self {
        Self {
            timeouts,
            state: Mutex::new(State::Waiting {
                since: Instant::now(),
                fresh: true,
                started: false,
            }),
        }
    }

    fn set(&self, state: State) {
        if let Ok(mut s) = self.state.lock() {
            *s = state;
        }
    }

    fn busy(&self) {
        self.set(State::Busy);
    }

    fn idle(&self) {
        self.set(State::Waiting {
            since: Instant::now(),
            fresh: false,
            started: false,
        });
    }

    /// Bytes arrived: on a kept-alive connection, the header clock starts.
    fn received(&self) {
        if let Ok(mut s) = self.state.lock()
            && let State::Waiting {
                since,
                fresh,
                started: false,
            } = *s
        {
            *s = State::Waiting {
                since: if fresh { since } else { Instant::now() },
                fresh,
                started: true,
            };
        }
    }

    /// When a read that is still waiting must give up, and why.
    fn deadline(&self) -> Option<(Instant, &'static str)> {
        let state = *self.state.lock().ok()?;
        match state {
            State::Busy => None,
            State::Waiting {
                since,
                fresh,
                started,
            } => Some(if fresh || started {
                (
                    since + self.timeouts.header,
                    "the request head did not arrive in time",
                )
            } else {
                (
                    since + self.timeouts.idle,
                    "the kept-alive connection was idle too long",
                )
            }),
        }
    }
}

/// A client socket whose reads give up at the [`Phase`]'s deadline, which
/// closes the connection (hyper answers nothing to a client that has not
/// sent a whole head).
struct TimedIo {
    inner: TcpStream,
    phase: Arc<Phase>,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl TimedIo {
    fn new(inner: TcpStream, phase: Arc<Phase>) -> Self {
        Self {
            inner,
            phase,
            sleep: None,
        }
    }
}

impl AsyncRead for TimedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.phase.received();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                let Some((deadline, why)) = self.phase.deadline() else {
                    self.sleep = None;
                    return Poll::Pending;
                };
                let sleep = self
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if sleep.deadline() != deadline {
                    sleep.as_mut().reset(deadline);
                }
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, why)))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A response body that marks its connection idle once hyper is done with
/// it (written to the end, or dropped with the connection): from then on
/// the keep-alive timeout runs.
struct Finished {
    body: Body,
    phase: Arc<Phase>,
}

impl Drop for Finished {
    fn drop(&mut self) {
        self.phase.idle();
    }
}

impl http_body::Body for Finished {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The request body did not arrive before the body-read timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout;

impl fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the request body did not arrive before the body-read timeout")
    }
}

impl StdError for BodyTimeout {}

/// A request body that fails with [`BodyTimeout`] once its deadline has
/// passed. The timer is made only when a read actually has to wait, so a
/// request without a body (or one already buffered) costs none.
struct TimedBody {
    inner: Incoming,
    deadline: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl TimedBody {
    fn new(inner: Incoming, deadline: Instant) -> Self {
        Self {
            inner,
            deadline,
            sleep: None,
        }
    }
}

impl http_body::Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn StdError + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|f| f.map_err(Into::into))),
            Poll::Pending => {
                let deadline = self.deadline;
                let sleep = self
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout)))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_keeps_headroom_under_the_fd_limit() {
        assert_eq!(default_max_connections(1024), Ok(298));
        assert_eq!(
            default_max_connections(1 << 20),
            Ok(MAX_DEFAULT_CONNECTIONS)
        );
        assert_eq!(
            default_max_connections(150),
            Err(LimitsError::FdLimitTooLow { limit: 150 })
        );
        let limits = |n| ClientLimits {
            max_connections: Some(n),
            ..ClientLimits::default()
        };
        assert_eq!(limits(298).resolve(Some(1024)), Ok(298));
        let err = limits(299).resolve(Some(1024)).unwrap_err();
        assert!(
            err.to_string()
                .contains("open-file limit (RLIMIT_NOFILE) is 1024"),
            "{err}"
        );
        assert_eq!(
            limits(0).resolve(Some(1024)),
            Err(LimitsError::ZeroConnections)
        );
        let zero = ClientLimits {
            body_read_timeout: Duration::ZERO,
            ..ClientLimits::default()
        };
        assert!(zero.resolve(Some(1024)).is_err());
    }
}
