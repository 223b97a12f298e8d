//! A loopback HTTP server for simulators (feature `testkit`).

use std::net::SocketAddr;

/// An axum router served on `127.0.0.1` on a free port; stops when dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let server = spend_http::testkit::LoopbackServer::start(axum::Router::new()).await;
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// # }
/// ```
#[derive(Debug)]
pub struct LoopbackServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl LoopbackServer {
    /// Serves `router`.
    ///
    /// # Panics
    /// If no loopback port can be bound (the machine has no network stack).
    pub async fn start(router: axum::Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener
            .local_addr()
            .expect("a bound socket has an address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        LoopbackServer { addr, task }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A fault storm for simulators: each call fails (the simulator answers 429
/// or 503) with probability `rate`, but never more than `max_streak` times in
/// a row for one path, so a client with a sane retry budget always gets
/// through and a test of it is not a lottery.
///
/// ```
/// let storm = spend_http::testkit::Storm::new(0.3, 2);
/// let struck = (0..1000).filter(|_| storm.strike("/data/v1/accounts").is_some()).count();
/// assert!(struck > 150 && struck < 450, "{struck}");
/// assert_eq!(storm.faults(), struck as u64);
/// ```
#[derive(Debug)]
pub struct Storm {
    rate: f64,
    max_streak: u32,
    state: std::sync::Mutex<(std::collections::HashMap<String, u32>, u64, fastrand::Rng)>,
}

/// How a struck call is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StormFault {
    /// 429 Too Many Requests.
    TooManyRequests,
    /// 503 Service Unavailable.
    Unavailable,
}

impl Default for Storm {
    /// No storm: nothing fails.
    fn default() -> Self {
        Storm::new(0.0, 0)
    }
}

impl Storm {
    /// A storm striking `rate` of the calls (0 to 1), at most `max_streak` in
    /// a row per path. The draws are seeded: the same calls in the same order
    /// meet the same faults, so a test that uses it is repeatable.
    pub fn new(rate: f64, max_streak: u32) -> Self {
        Storm {
            rate: rate.clamp(0.0, 1.0),
            max_streak,
            state: std::sync::Mutex::new((
                std::collections::HashMap::new(),
                0,
                fastrand::Rng::with_seed(0x5eed),
            )),
        }
    }

    /// Whether the call to `path` fails, and how.
    pub fn strike(&self, path: &str) -> Option<StormFault> {
        if self.rate <= 0.0 {
            return None;
        }
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (streaks, faults, rng) = &mut *guard;
        let streak = streaks.entry(path.to_owned()).or_default();
        if *streak < self.max_streak && rng.f64() < self.rate {
            *streak += 1;
            *faults += 1;
            Some(if rng.bool() {
                StormFault::TooManyRequests
            } else {
                StormFault::Unavailable
            })
        } else {
            *streak = 0;
            None
        }
    }

    /// Calls failed so far (each one a retry the client had to make).
    pub fn faults(&self) -> u64 {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1
    }
}
