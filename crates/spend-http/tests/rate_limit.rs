//! Rate limiting on tokio's paused clock.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use spend_http::{FileRateStateStore, Operation, RateLimiter, RatePlan, RateStateStore};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn burst_twenty_then_one_a_minute() {
    let limiter = Arc::new(
        RateLimiter::new().with_plan("getOrders", RatePlan::every(Duration::from_secs(60), 20)),
    );
    let op = Operation::new("getOrders").key("seller-1");
    let start = Instant::now();
    let mut granted = Vec::new();
    for _ in 0..24 {
        limiter.acquire(&op).await;
        granted.push(start.elapsed());
    }
    assert!(
        granted[..20].iter().all(|t| t.is_zero()),
        "the burst goes at once"
    );
    let spaced: Vec<u64> = granted[20..].iter().map(|t| t.as_secs()).collect();
    assert_eq!(spaced, [60, 120, 180, 240], "then one token a minute");
}

#[tokio::test(start_paused = true)]
async fn keys_have_their_own_buckets() {
    let limiter =
        RateLimiter::new().with_plan("getOrders", RatePlan::every(Duration::from_secs(60), 1));
    let start = Instant::now();
    limiter.acquire(&Operation::new("getOrders").key("a")).await;
    limiter.acquire(&Operation::new("getOrders").key("b")).await;
    assert!(start.elapsed().is_zero());
    limiter.acquire(&Operation::new("getOrders").key("a")).await;
    assert_eq!(start.elapsed(), Duration::from_secs(60));
    // Operations without a plan are not limited.
    for _ in 0..100 {
        assert!(limiter.acquire(&Operation::new("other")).await.is_zero());
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_drains_the_bucket() {
    let limiter = RateLimiter::new().with_plan("getOrderItems", RatePlan::new(0.5, 30));
    let op = Operation::new("getOrderItems");
    limiter.acquire(&op).await;
    limiter.observe(&op, StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new());
    let waited = limiter.acquire(&op).await;
    assert_eq!(
        waited,
        Duration::from_secs(2),
        "empty bucket: wait one emission interval"
    );
}

#[tokio::test(start_paused = true)]
async fn the_amazon_rate_header_retunes_the_plan_keeping_spent_tokens() {
    let limiter = RateLimiter::new().with_plan("getOrders", RatePlan::new(0.0167, 20));
    let op = Operation::new("getOrders");
    for _ in 0..20 {
        limiter.acquire(&op).await;
    }
    let mut headers = HeaderMap::new();
    headers.insert("x-amzn-RateLimit-Limit", HeaderValue::from_static("0.5"));
    limiter.observe(&op, StatusCode::OK, &headers);
    assert_eq!(limiter.plan("getOrders"), Some(RatePlan::new(0.5, 20)));
    // The bucket stayed empty across the re-tune; tokens now come every 2 s.
    assert_eq!(limiter.acquire(&op).await, Duration::from_secs(2));
}

#[tokio::test]
async fn a_second_process_does_not_start_with_a_full_bucket() {
    let dir = std::env::temp_dir().join(format!("spend-http-rl-{}", std::process::id()));
    let store = Arc::new(FileRateStateStore::new(dir.join("buckets.json")));
    let plan = RatePlan::every(Duration::from_secs(60), 20);
    let op = Operation::new("getOrders").key("seller-1");

    let first = RateLimiter::new()
        .with_plan("getOrders", plan)
        .with_store(store.clone())
        .unwrap();
    for _ in 0..15 {
        first.acquire(&op).await;
    }
    drop(first);

    // The "second process": a new limiter from the same file has 5 tokens left, not 20.
    let second = RateLimiter::new()
        .with_plan("getOrders", plan)
        .with_store(store.clone())
        .unwrap();
    for _ in 0..5 {
        assert!(second.acquire(&op).await < Duration::from_millis(50));
    }
    drop(second);
    let saved = store.path().to_owned();
    let states: Vec<spend_http::BucketState> =
        serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].operation, "getOrders");
    let until_full = states[0].until_full(std::time::SystemTime::now());
    assert!(
        until_full > Duration::from_secs(19 * 60),
        "20 tokens spent: {until_full:?} until full"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(start_paused = true)]
async fn operations_sharing_a_bucket_pay_their_cost() {
    // Gmail-like: 10 units a second, a burst of 10; a get costs 5, a profile 1.
    let limiter = RateLimiter::new().with_plan("quota", RatePlan::new(10.0, 10));
    let get = Operation::new("messages.get")
        .bucket("quota")
        .cost(5)
        .key("me");
    let profile = Operation::new("getProfile")
        .bucket("quota")
        .cost(1)
        .key("me");
    let start = Instant::now();
    limiter.acquire(&get).await;
    limiter.acquire(&get).await;
    assert!(start.elapsed().is_zero(), "two gets fill the burst");
    limiter.acquire(&profile).await;
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(100),
        "one unit later"
    );
    limiter.acquire(&get).await;
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(600),
        "five units later"
    );
    // A call costing more than the burst is taken in burst-sized steps.
    let batch = Operation::new("batch").bucket("quota").cost(25).key("me");
    limiter.acquire(&batch).await;
    assert_eq!(start.elapsed(), Duration::from_millis(3100));
}

#[tokio::test(start_paused = true)]
async fn one_sellers_rate_header_retunes_only_that_seller() {
    let limiter = RateLimiter::new().with_plan("getOrders", RatePlan::new(0.0167, 20));
    let one = Operation::new("getOrders").key("seller-1");
    let two = Operation::new("getOrders").key("seller-2");
    for _ in 0..20 {
        limiter.acquire(&one).await;
    }
    let mut headers = HeaderMap::new();
    headers.insert("x-amzn-RateLimit-Limit", HeaderValue::from_static("0.5"));
    limiter.observe(&one, StatusCode::OK, &headers);
    assert_eq!(limiter.plan_for(&one), Some(RatePlan::new(0.5, 20)));
    assert_eq!(
        limiter.plan_for(&two),
        Some(RatePlan::new(0.0167, 20)),
        "another seller keeps the plan"
    );
    assert_eq!(limiter.plan("getOrders"), Some(RatePlan::new(0.0167, 20)));
    // Seller 1's bucket stayed empty across the re-tune: a token every 2 s.
    assert_eq!(limiter.acquire(&one).await, Duration::from_secs(2));
    for _ in 0..20 {
        limiter.acquire(&two).await;
    }
    assert!(
        limiter.acquire(&two).await > Duration::from_secs(50),
        "seller 2 still refills once a minute"
    );
}

#[tokio::test]
async fn processes_sharing_a_state_file_keep_each_others_spending() {
    let dir = std::env::temp_dir().join(format!("spend-http-rl-merge-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    let path = dir.join("buckets.json");
    let plan = RatePlan::every(Duration::from_secs(60), 20);
    // Two processes: each its own store over the one file, each limiter
    // loaded before the other spent anything.
    let first = RateLimiter::new()
        .with_plan("getOrders", plan)
        .with_store(Arc::new(FileRateStateStore::new(&path)))
        .unwrap();
    let second = RateLimiter::new()
        .with_plan("getOrders", plan)
        .with_store(Arc::new(FileRateStateStore::new(&path)))
        .unwrap();
    let one = Operation::new("getOrders").key("seller-1");
    let two = Operation::new("getOrders").key("seller-2");
    for _ in 0..10 {
        first.acquire(&one).await;
        second.acquire(&two).await;
    }
    first.acquire(&two).await;
    first.flush();
    second.flush();
    let states: Vec<spend_http::BucketState> =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let keys: Vec<&str> = states.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        ["seller-1", "seller-2"],
        "neither overwrote the other"
    );
    let two_until_full = states[1].until_full(std::time::SystemTime::now());
    assert!(
        two_until_full > Duration::from_secs(9 * 60),
        "seller 2's ten from the second process, not the first's one: {two_until_full:?}"
    );
    drop((first, second));
    std::fs::remove_dir_all(dir).ok();
}

/// A bucket full again in an hour: a state the file keeps.
fn an_hour_from_now_ms() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    now.as_millis() as u64 + 3_600_000
}

#[test]
fn a_flush_waits_for_the_write_under_way() {
    // The writer thread may have taken the newest snapshot just before a
    // flush; the flush must still return only once that snapshot is on disk.
    let dir = std::env::temp_dir().join(format!("spend-http-flush-{}", std::process::id()));
    let store = FileRateStateStore::new(dir.join("buckets.json"));
    let start = an_hour_from_now_ms();
    for i in 0..500u64 {
        let state = spend_http::BucketState {
            operation: "getOrders".into(),
            key: String::new(),
            full_at_unix_ms: start + i,
        };
        store.save(std::slice::from_ref(&state)).unwrap();
        store.flush().unwrap();
        let on_disk: Vec<spend_http::BucketState> =
            serde_json::from_slice(&std::fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(on_disk, vec![state], "after save and flush number {i}");
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn dropping_the_last_clone_writes_what_was_saved() {
    let dir = std::env::temp_dir().join(format!("spend-http-drop-{}", std::process::id()));
    let store = FileRateStateStore::new(dir.join("buckets.json"));
    let path = store.path().to_owned();
    let state = spend_http::BucketState {
        operation: "getOrders".into(),
        key: "seller-1".into(),
        full_at_unix_ms: an_hour_from_now_ms(),
    };
    let later = spend_http::BucketState {
        full_at_unix_ms: state.full_at_unix_ms + 60_000,
        ..state.clone()
    };
    let clone = store.clone();
    store.save(std::slice::from_ref(&state)).unwrap();
    drop(store);
    clone.save(std::slice::from_ref(&later)).unwrap();
    drop(clone);
    // Written by the last drop itself, not some time later by the writer thread.
    let on_disk: Vec<spend_http::BucketState> =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(on_disk, vec![later]);
    std::fs::remove_dir_all(dir).ok();
}
