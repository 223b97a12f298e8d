//! Tool latency through the real server: `spend-mcp` spawned over stdio on a
//! SQLite store of 1,000,000 transactions, `tools/call` round trips timed for
//! the search and summary tools. Prints p50 and p99 per tool (goal p99 < 50 ms).
//!
//! `cargo bench -p spend-mcp --bench latency` (`MCP_BENCH_ROWS` to change the count).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use spend_core::model::{Currency, Money, Transaction};
use spend_core::store::{Batch, SqliteStore, Store};

const CALLS: usize = 100;

fn transactions(start: usize, len: usize, rows: usize) -> Vec<Transaction> {
    let first = time::macros::date!(2021 - 01 - 01);
    (start..start + len)
        .map(|i| {
            let mut tx = Transaction::new(
                "truelayer",
                ["acc-current", "card-credit"][i % 2],
                &format!("{:016x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
                first + time::Duration::days((i * 1826 / rows.max(1)) as i64),
                Money::new(-((i * 7919 % 20_000) as i64 + 1), Currency::GBP),
                &format!("CARD PAYMENT TO MERCHANT {:03} LONDON", i % 500),
            );
            tx.merchant = Some(format!("Merchant {:03}", i % 500));
            tx.category = Some(["groceries", "transport", "bills", "shopping"][i % 4].to_owned());
            tx
        })
        .collect()
}

struct Server {
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
    child: std::process::Child,
    next: u64,
}

impl Server {
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let message =
            json!({"jsonrpc": "2.0", "id": self.next, "method": method, "params": params});
        writeln!(self.stdin, "{message}").expect("write");
        self.stdin.flush().expect("flush");
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).expect("read") > 0,
                "the server closed"
            );
            let answer: Value = serde_json::from_str(&line).expect("json");
            if answer["id"] == json!(self.next) {
                return answer;
            }
        }
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let rows: usize = std::env::var("MCP_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 1_000_000 } else { 20_000 });
    let dir = std::env::temp_dir().join(format!("spend-mcp-bench-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("dir");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = SqliteStore::open(dir.join("spend.db"))
            .await
            .expect("store");
        let user = store.user(store.ensure_user("bench").await.expect("user"));
        let mut start = 0;
        while start < rows {
            let len = 10_000.min(rows - start);
            user.write(Batch::default().transactions(transactions(start, len, rows)))
                .await
                .expect("write");
            start += len;
        }
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_spend-mcp"))
        .env("SPEND_DATA_DIR", &dir)
        .env("SPEND_USER", "bench")
        .env("SPEND_CONFIG", dir.join("none.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn spend-mcp");
    let mut server = Server {
        stdin: child.stdin.take().expect("stdin"),
        stdout: BufReader::new(child.stdout.take().expect("stdout")),
        child,
        next: 0,
    };
    server.request(
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}),
    );
    writeln!(
        server.stdin,
        "{}",
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
    )
    .expect("write");
    let calls = [
        ("search_transactions (newest page)", json!({"limit": 50})),
        (
            "search_transactions (text)",
            json!({"text": "merchant 042", "limit": 50}),
        ),
        (
            "search_transactions (a month, amount range)",
            json!({"from": "2025-03-01", "to": "2025-03-31", "min_amount": -50, "max_amount": -10}),
        ),
        (
            "spending_summary (a year by category)",
            json!({"period": "2025", "group_by": ["category"], "outgoing_only": true}),
        ),
        (
            "spending_summary (a year by month and category)",
            json!({"period": "2025", "group_by": ["month", "category"]}),
        ),
        (
            "spending_summary (a year by merchant)",
            json!({"period": "2025", "group_by": ["merchant"]}),
        ),
    ];
    println!(
        "spend-mcp over stdio, {rows} transactions on SQLite, {CALLS} calls each (goal p99 < 50 ms):"
    );
    // Loading wrote every month: the first summary recomputes all their sums
    // (after a sync, only the months it touched). Timed apart from the calls.
    let t = Instant::now();
    let first = server.request(
        "tools/call",
        json!({"name": "spending_summary", "arguments": {"group_by": ["month"]}}),
    );
    assert_eq!(first["result"]["isError"], json!(false), "{first}");
    println!(
        "  the first summary after loading (recomputes every month's sums): {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    for (label, arguments) in calls {
        let name = label.split(' ').next().unwrap_or_default();
        let mut times: Vec<Duration> = Vec::with_capacity(CALLS);
        for _ in 0..CALLS {
            let t = Instant::now();
            let answer =
                server.request("tools/call", json!({"name": name, "arguments": arguments}));
            times.push(t.elapsed());
            assert_eq!(answer["result"]["isError"], json!(false), "{answer}");
        }
        times.sort();
        let at = |q: f64| {
            times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
        };
        println!("  {label}: p50 {:.1} ms, p99 {:.1} ms", at(0.5), at(0.99));
    }
    server.child.kill().ok();
    std::fs::remove_dir_all(&dir).ok();
}
