//! Retry timing on tokio's paused clock (a tower `service_fn` stands in for
//! the network so that no real I/O lets the clock jump), and retry rules
//! against a real HTTP server.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use spend_http::{Error, HttpClient, Operation, Request, RetryLayer, RetryPolicy};
use tokio::time::Instant;
use tower::{ServiceBuilder, ServiceExt, service_fn};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

type Script = Arc<Mutex<Vec<http::Response<String>>>>;

/// A service answering from `script` in order and recording when each call came.
fn scripted(
    script: Vec<http::Response<String>>,
) -> (
    impl tower::Service<Request, Response = reqwest::Response, Error = Error, Future = impl Send>
    + Clone
    + Send
    + 'static,
    Arc<Mutex<Vec<Instant>>>,
) {
    let script: Script = Arc::new(Mutex::new(script.into_iter().rev().collect()));
    let times = Arc::new(Mutex::new(Vec::new()));
    let seen = times.clone();
    let service = service_fn(move |_req: Request| {
        let script = script.clone();
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(Instant::now());
            let next = script.lock().unwrap().pop().expect("script ran out");
            Ok::<_, Error>(reqwest::Response::from(next))
        }
    });
    (service, times)
}

fn answer(status: u16, headers: &[(&str, &str)]) -> http::Response<String> {
    let mut b = http::Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(format!("status {status}")).unwrap()
}

fn get() -> Request {
    Request::new(
        Operation::new("op"),
        reqwest::Request::new(reqwest::Method::GET, "http://sim.test/x".parse().unwrap()),
    )
}

fn gaps(times: &[Instant]) -> Vec<Duration> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_waited() {
    let (service, times) = scripted(vec![answer(429, &[("retry-after", "2")]), answer(200, &[])]);
    let stack = ServiceBuilder::new()
        .layer(RetryLayer::new(RetryPolicy::default()))
        .service(service);
    let response = stack.oneshot(get()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(gaps(&times.lock().unwrap()), [Duration::from_secs(2)]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_is_waited() {
    // HTTP-dates have whole seconds: aim 3 s ahead, expect a wait within (2, 3] s.
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3));
    let (service, times) = scripted(vec![answer(429, &[("retry-after", &at)]), answer(200, &[])]);
    let stack = ServiceBuilder::new()
        .layer(RetryLayer::new(RetryPolicy::default()))
        .service(service);
    assert_eq!(stack.oneshot(get()).await.unwrap().status(), 200);
    let gap = gaps(&times.lock().unwrap())[0];
    assert!(
        gap > Duration::from_secs(1) && gap <= Duration::from_secs(3),
        "waited {gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_without_retry_after_waits_for_the_rate_limit_reset() {
    let (service, times) = scripted(vec![
        answer(429, &[("x-ratelimit-reset-requests", "3s")]),
        answer(200, &[]),
    ]);
    let stack = ServiceBuilder::new()
        .layer(RetryLayer::new(RetryPolicy::default()))
        .service(service);
    assert_eq!(stack.oneshot(get()).await.unwrap().status(), 200);
    assert_eq!(gaps(&times.lock().unwrap()), [Duration::from_secs(3)]);
}

#[tokio::test(start_paused = true)]
async fn a_503_is_retried_with_growing_delays() {
    let script = vec![
        answer(503, &[]),
        answer(503, &[]),
        answer(503, &[]),
        answer(503, &[]),
        answer(200, &[]),
    ];
    let (service, times) = scripted(script);
    let policy = RetryPolicy::default()
        .jitter(false)
        .delays(Duration::from_millis(100), Duration::from_secs(10))
        .max_attempts(5);
    let stack = ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .service(service);
    assert_eq!(stack.oneshot(get()).await.unwrap().status(), 200);
    let gaps = gaps(&times.lock().unwrap());
    // tokio's timer wheel has millisecond ticks: allow one tick of rounding.
    for (gap, want) in gaps.iter().zip([100, 200, 400, 800]) {
        let want = Duration::from_millis(want);
        assert!(
            *gap >= want && *gap <= want + Duration::from_millis(1),
            "{gaps:?}"
        );
    }
    assert!(
        gaps.windows(2).all(|w| w[1] > w[0]),
        "delays grow: {gaps:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn full_jitter_stays_under_each_ceiling() {
    let script = (0..6)
        .map(|_| answer(502, &[]))
        .chain([answer(200, &[])])
        .collect();
    let (service, times) = scripted(script);
    let policy = RetryPolicy::default()
        .delays(Duration::from_millis(100), Duration::from_secs(10))
        .max_attempts(7);
    let stack = ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .service(service);
    assert_eq!(stack.oneshot(get()).await.unwrap().status(), 200);
    let gaps = gaps(&times.lock().unwrap());
    for (i, gap) in gaps.iter().enumerate() {
        let ceiling = Duration::from_millis(100 << i);
        // A draw just under the ceiling can land on the next millisecond tick of tokio's timer.
        assert!(
            *gap <= ceiling + Duration::from_millis(1),
            "delay {i} was {gap:?}, ceiling {ceiling:?}"
        );
    }
    // Uniform jitter: six draws all under 5% of their ceiling would be a broken RNG.
    assert!(
        gaps.iter()
            .enumerate()
            .any(|(i, g)| *g > Duration::from_millis(5 << i))
    );
}

#[tokio::test]
async fn a_post_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("down"))
        .expect(1)
        .mount(&server)
        .await;
    let client = HttpClient::builder().build().unwrap();
    let err = client
        .send(
            Operation::new("create"),
            client.post(server.uri()).body("{}"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Api(ref api) if api.status == 503 && api.body == "down"),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_idempotent_post_is_retried_when_the_operation_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = HttpClient::builder()
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap();
    let response = client
        .send(
            Operation::new("token").idempotent(true),
            client.post(server.uri()),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_exhausted_budget_returns_the_last_status_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .insert_header("x-request-id", "req-42")
                .set_body_json(serde_json::json!({"error": "provider_too_many_requests"})),
        )
        .mount(&server)
        .await;
    let client = HttpClient::builder()
        .retry(
            RetryPolicy::default()
                .budget(Duration::from_millis(2900))
                .max_attempts(10),
        )
        .build()
        .unwrap();
    let err = client
        .send(Operation::new("GetAccounts"), client.get(server.uri()))
        .await
        .unwrap_err();
    let Error::RetriesExhausted {
        attempts, ref last, ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        attempts, 3,
        "1 s + 1 s fit a 2.9 s budget, a third wait does not"
    );
    let api = last.api().unwrap();
    assert_eq!(api.status, 429);
    assert_eq!(api.request_id.as_deref(), Some("req-42"));
    assert!(api.body.contains("provider_too_many_requests"));
    assert_eq!(err.status().unwrap(), 429);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_client_error_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let client = HttpClient::builder().build().unwrap();
    let err = client
        .send(Operation::new("get"), client.get(server.uri()))
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap(), 404);
}

fn gmail_rate_limited(status: u16, body: &[u8]) -> bool {
    status == 403 && String::from_utf8_lossy(body).contains("RateLimitExceeded")
}

#[tokio::test(start_paused = true)]
async fn a_provider_rule_retries_403_rate_limits_and_keeps_other_bodies() {
    let limited = http::Response::builder()
        .status(403)
        .header("retry-after", "1")
        .body(r#"{"error":{"code":403,"errors":[{"reason":"userRateLimitExceeded"}]}}"#.to_owned())
        .unwrap();
    let (service, times) = scripted(vec![limited, answer(200, &[])]);
    let policy = RetryPolicy::default().retry_when(|s, b| gmail_rate_limited(s.as_u16(), b));
    let stack = ServiceBuilder::new()
        .layer(RetryLayer::new(policy.clone()))
        .service(service);
    assert_eq!(stack.oneshot(get()).await.unwrap().status(), 200);
    assert_eq!(gaps(&times.lock().unwrap()), [Duration::from_secs(1)]);

    // A 403 for another reason is not retried, and its body arrives whole.
    let denied = http::Response::builder()
        .status(403)
        .header("content-type", "application/json")
        .body(
            r#"{"error":{"code":403,"errors":[{"reason":"insufficientPermissions"}]}}"#.to_owned(),
        )
        .unwrap();
    let (service, times) = scripted(vec![denied]);
    let stack = ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .service(service);
    let response = stack.oneshot(get()).await.unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("insufficientPermissions")
    );
    assert_eq!(times.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn with_no_retries_a_timeout_stays_a_timeout_and_an_answer_an_answer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(500)))
        .mount(&server)
        .await;
    let client = HttpClient::builder()
        .retry(RetryPolicy::none())
        .timeout(Some(Duration::from_millis(50)))
        .build()
        .unwrap();
    let err = client
        .send(Operation::new("op"), client.get(server.uri()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_string("down"))
        .mount(&server)
        .await;
    let client = HttpClient::builder()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client
        .send(Operation::new("op"), client.get(server.uri()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.status().unwrap(), 503);
}

#[tokio::test]
async fn an_answer_the_policy_calls_final_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).set_body_json(
            serde_json::json!({"error": "provider_too_many_requests", "error_description": "unattended calls exceeded"}),
        ))
        .mount(&server)
        .await;
    let client = HttpClient::builder()
        .retry(
            RetryPolicy::default()
                .delays(Duration::from_millis(1), Duration::from_millis(2))
                .final_when(|status, body| {
                    status == 429 && String::from_utf8_lossy(body).contains("unattended")
                }),
        )
        .build()
        .unwrap();
    let err = client
        .send(Operation::new("op"), client.get(server.uri()))
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    let api = err.api().unwrap();
    assert!(api.body.contains("unattended calls exceeded"), "{err:?}");
}
