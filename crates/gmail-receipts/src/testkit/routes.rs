//! The simulator's HTTP surface: Google OAuth, the Gmail API methods a sync
//! uses, and the batch endpoint, each call charged against the user's quota.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};

use super::state::{Fault, State};
use crate::google::{multipart, quota};

pub(crate) type Shared = Arc<Mutex<State>>;

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An answer: status, extra headers, JSON body.
pub(crate) struct Answer {
    status: StatusCode,
    headers: Vec<(&'static str, String)>,
    body: Value,
}

impl Answer {
    fn ok(body: Value) -> Self {
        Answer {
            status: StatusCode::OK,
            headers: Vec::new(),
            body,
        }
    }

    fn error(status: StatusCode, reason: &str, message: &str) -> Self {
        Answer {
            status,
            headers: Vec::new(),
            body: json!({"error": {
                "code": status.as_u16(),
                "message": message,
                "errors": [{"domain": "global", "reason": reason, "message": message}],
                "status": match status.as_u16() { 401 => "UNAUTHENTICATED", 403 => "PERMISSION_DENIED", 404 => "NOT_FOUND", 429 => "RESOURCE_EXHAUSTED", 400 => "INVALID_ARGUMENT", _ => "INTERNAL" },
            }}),
        }
    }

    fn retry_after(mut self, secs: u64) -> Self {
        self.headers.push(("retry-after", secs.to_string()));
        self
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        for (name, value) in self.headers {
            if let Ok(v) = value.parse() {
                response.headers_mut().insert(name, v);
            }
        }
        response
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::to_owned)
}

fn method_of(rest: &[&str]) -> Option<&'static str> {
    Some(match rest {
        ["profile"] => "users.getProfile",
        ["messages"] => "messages.list",
        ["messages", _] => "messages.get",
        ["messages", _, "attachments", _] => "messages.attachments.get",
        ["history"] => "history.list",
        _ => return None,
    })
}

/// One Gmail API call, from a plain request or from inside a batch.
pub(crate) fn call(
    state: &mut State,
    bearer: Option<&str>,
    path: &str,
    query: &HashMap<String, String>,
) -> Answer {
    if !state.authorised(bearer) {
        state.stats.failed += 1;
        return Answer::error(
            StatusCode::UNAUTHORIZED,
            "authError",
            "Request had invalid authentication credentials. Expected OAuth 2 access token.",
        );
    }
    state.stats.calls += 1;
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let rest = match segments.as_slice() {
        ["gmail", "v1", "users", _user, rest @ ..] => rest,
        _ => {
            state.stats.failed += 1;
            return Answer::error(StatusCode::NOT_FOUND, "notFound", "Not Found");
        }
    };
    let Some(method) = method_of(rest) else {
        state.stats.failed += 1;
        return Answer::error(StatusCode::NOT_FOUND, "notFound", "Not Found");
    };
    let storm = state.storm.clone();
    let fault = state.faults.pop_front().or_else(|| {
        storm.strike(path).map(|f| match f {
            spend_http::testkit::StormFault::TooManyRequests => Fault::TooManyRequests,
            spend_http::testkit::StormFault::Unavailable => Fault::BackendError,
        })
    });
    if let Some(fault) = fault {
        return match fault {
            Fault::TooManyRequests => {
                state.stats.rate_limited += 1;
                Answer::error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rateLimitExceeded",
                    "Too many concurrent requests for user.",
                )
                .retry_after(1)
            }
            Fault::UserRateLimit403 => {
                state.stats.rate_limited += 1;
                Answer::error(
                    StatusCode::FORBIDDEN,
                    "userRateLimitExceeded",
                    "User-rate limit exceeded.",
                )
                .retry_after(1)
            }
            Fault::InsufficientPermissions => {
                state.stats.failed += 1;
                Answer::error(
                    StatusCode::FORBIDDEN,
                    "insufficientPermissions",
                    "Request had insufficient authentication scopes.",
                )
            }
            Fault::BackendError => {
                state.stats.failed += 1;
                Answer::error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "backendError",
                    "Backend Error",
                )
            }
        };
    }
    if let Err(wait) = state.charge(quota::units(method)) {
        state.stats.rate_limited += 1;
        return Answer::error(
            StatusCode::TOO_MANY_REQUESTS,
            "rateLimitExceeded",
            "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'.",
        )
        .retry_after(wait.as_secs().max(1));
    }
    let answer = match rest {
        ["profile"] => Answer::ok(json!({
            "emailAddress": state.email,
            "messagesTotal": state.messages.len(),
            "threadsTotal": state.messages.len(),
            "historyId": state.history_id.to_string(),
        })),
        ["messages"] => list(state, query),
        ["messages", id] => get_message(
            state,
            id,
            query.get("format").map_or("full", String::as_str),
        ),
        ["messages", id, "attachments", att] => attachment(state, id, att),
        ["history"] => history(state, query),
        _ => Answer::error(StatusCode::NOT_FOUND, "notFound", "Not Found"),
    };
    if !answer.status.is_success() {
        state.stats.failed += 1;
    }
    answer
}

/// One page of `items` under `key` in `body`, with a `nextPageToken`
/// (`{token_prefix}{offset}`) while more remain; `maxResults` defaults to 100.
fn paged(
    query: &HashMap<String, String>,
    token_prefix: &str,
    mut body: Value,
    key: &str,
    items: impl ExactSizeIterator<Item = Value>,
) -> Value {
    let max: usize = query
        .get("maxResults")
        .and_then(|m| m.parse().ok())
        .unwrap_or(100)
        .clamp(1, 500);
    let offset: usize = query
        .get("pageToken")
        .and_then(|t| t.strip_prefix(token_prefix))
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let total = items.len();
    let page: Vec<Value> = items.skip(offset).take(max).collect();
    if !page.is_empty() {
        body[key] = Value::Array(page);
    }
    if offset + max < total {
        body["nextPageToken"] = json!(format!("{token_prefix}{}", offset + max));
    }
    body
}

fn list(state: &mut State, query: &HashMap<String, String>) -> Answer {
    let q = query.get("q").cloned().unwrap_or_default();
    state.queries.push(q.clone());
    let found = state.search(&q);
    let body = json!({"resultSizeEstimate": found.len()});
    let items = found
        .iter()
        .map(|m| json!({"id": m.id, "threadId": m.thread_id}));
    Answer::ok(paged(query, "page-", body, "messages", items))
}

fn not_found() -> Answer {
    Answer::error(
        StatusCode::NOT_FOUND,
        "notFound",
        "Requested entity was not found.",
    )
}

fn get_message(state: &State, id: &str, format: &str) -> Answer {
    let Some(m) = state.message(id) else {
        return not_found();
    };
    let mut body = json!({
        "id": m.id,
        "threadId": m.thread_id,
        "labelIds": m.labels,
        "historyId": m.history_id.to_string(),
        "internalDate": m.internal_date.to_string(),
        "sizeEstimate": m.raw.len(),
        "snippet": m.subject,
    });
    match format {
        "raw" => body["raw"] = json!(b64url(&m.raw)),
        "full" => {
            let mut parts = vec![
                json!({"partId": "0", "mimeType": "text/plain", "filename": "", "body": {"size": 0}}),
            ];
            for (n, (name, mime, bytes)) in m.attachments.iter().enumerate() {
                parts.push(json!({
                    "partId": (n + 1).to_string(),
                    "mimeType": mime,
                    "filename": name,
                    "body": {"attachmentId": format!("att-{n}"), "size": bytes.len()},
                }));
            }
            body["payload"] = json!({"partId": "", "mimeType": if m.attachments.is_empty() { "text/plain" } else { "multipart/mixed" }, "filename": "", "body": {"size": 0}, "parts": parts});
        }
        _ => {}
    }
    Answer::ok(body)
}

fn attachment(state: &State, id: &str, att: &str) -> Answer {
    let found = state.message(id).and_then(|m| {
        let n: usize = att.strip_prefix("att-")?.parse().ok()?;
        m.attachments.get(n)
    });
    match found {
        Some((_, _, bytes)) => Answer::ok(json!({"size": bytes.len(), "data": b64url(bytes)})),
        None => not_found(),
    }
}

fn history(state: &State, query: &HashMap<String, String>) -> Answer {
    let Some(start) = query
        .get("startHistoryId")
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            "invalidArgument",
            "Missing startHistoryId",
        );
    };
    if start < state.history_floor {
        return not_found();
    }
    let mut changes: Vec<_> = state
        .messages
        .iter()
        .filter(|m| m.history_id > start)
        .collect();
    changes.sort_by_key(|m| m.history_id);
    let items = changes.iter().map(|m| {
        json!({
            "id": m.history_id.to_string(),
            "messages": [{"id": m.id, "threadId": m.thread_id}],
            "messagesAdded": [{"message": {"id": m.id, "threadId": m.thread_id, "labelIds": m.labels}}],
        })
    });
    let body = json!({"historyId": state.history_id.to_string()});
    Answer::ok(paged(query, "h-", body, "history", items))
}

fn split_query(target: &str) -> (String, HashMap<String, String>) {
    match target.split_once('?') {
        Some((path, q)) => (
            path.to_owned(),
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect(),
        ),
        None => (target.to_owned(), HashMap::new()),
    }
}

async fn api(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Answer {
    let (path, query) = split_query(uri.path_and_query().map_or("/", |p| p.as_str()));
    let mut state = lock(&state);
    state.stats.http_requests += 1;
    call(&mut state, bearer(&headers).as_deref(), &path, &query)
}

async fn batch(AxumState(state): AxumState<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(boundary) = multipart::boundary(content_type) else {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            "invalidArgument",
            "multipart/mixed with a boundary expected",
        )
        .into_response();
    };
    let parts = multipart::parse(&body, &boundary);
    // Google refuses the whole batch, before running any of it.
    if parts.len() > crate::google::MAX_BATCH {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            "invalidArgument",
            "Too many requests in a batch (limit 100)",
        )
        .into_response();
    }
    let token = bearer(&headers);
    let mut state = lock(&state);
    state.stats.http_requests += 1;
    state.stats.batches += 1;
    let out_boundary = format!("batch_sim_{:08x}", fastrand::u32(..));
    let mut out = String::new();
    for part in parts {
        let content_id = part.content_id.unwrap_or_default();
        let mut words = part.start_line.split_whitespace();
        let (verb, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        let answer = if verb == "GET" {
            let (path, query) = split_query(target);
            call(&mut state, token.as_deref(), &path, &query)
        } else {
            Answer::error(
                StatusCode::BAD_REQUEST,
                "invalidArgument",
                "only GET inside a batch here",
            )
        };
        let reason = answer.status.canonical_reason().unwrap_or("");
        out.push_str(&format!(
            "--{out_boundary}\r\nContent-Type: application/http\r\nContent-ID: <response-{content_id}>\r\n\r\nHTTP/1.1 {} {reason}\r\nContent-Type: application/json; charset=UTF-8\r\n{}\r\n{}\r\n",
            answer.status.as_u16(),
            answer.headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect::<String>(),
            answer.body
        ));
    }
    out.push_str(&format!("--{out_boundary}--\r\n"));
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            format!("multipart/mixed; boundary={out_boundary}"),
        )],
        out,
    )
        .into_response()
}

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn authorize(
    AxumState(state): AxumState<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let need = [
        "client_id",
        "redirect_uri",
        "state",
        "code_challenge",
        "scope",
    ];
    if let Some(missing) = need.iter().find(|k| !q.contains_key(**k)) {
        return oauth_error(
            "invalid_request",
            &format!("Missing required parameter: {missing}"),
        );
    }
    if q.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return oauth_error("invalid_request", "code_challenge_method must be S256");
    }
    let mut location = match url::Url::parse(&q["redirect_uri"]) {
        Ok(u) => u,
        Err(_) => return oauth_error("invalid_request", "redirect_uri is not a URL"),
    };
    let mut state = lock(&state);
    if state.decline_consent {
        location
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("state", &q["state"]);
    } else {
        let code = format!("4/sim-{:016x}", fastrand::u64(..));
        state.codes.insert(
            code.clone(),
            (q["code_challenge"].clone(), q["redirect_uri"].clone()),
        );
        location
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &q["state"])
            .append_pair("scope", &q["scope"]);
    }
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

async fn token(AxumState(state): AxumState<Shared>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let mut state = lock(&state);
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some((challenge, redirect)) = form.get("code").and_then(|c| state.codes.remove(c))
            else {
                return oauth_error("invalid_grant", "Malformed auth code.");
            };
            if form.get("redirect_uri") != Some(&redirect) {
                return oauth_error("redirect_uri_mismatch", "Bad Request");
            }
            let verifier = oauth2::PkceCodeVerifier::new(
                form.get("code_verifier").cloned().unwrap_or_default(),
            );
            if oauth2::PkceCodeChallenge::from_code_verifier_sha256(&verifier).as_str() != challenge
            {
                return oauth_error("invalid_grant", "Invalid code verifier.");
            }
            let access = state.issue_access_token();
            let refresh = format!("1//sim-{:016x}", fastrand::u64(..));
            state.refresh_tokens.push(refresh.clone());
            axum::Json(json!({
                "access_token": access,
                "expires_in": state.token_ttl.as_secs(),
                "refresh_token": refresh,
                "scope": crate::google::GMAIL_READONLY,
                "token_type": "Bearer",
            }))
            .into_response()
        }
        Some("refresh_token") => {
            let known = form
                .get("refresh_token")
                .is_some_and(|r| state.refresh_tokens.contains(r));
            if !known {
                return oauth_error("invalid_grant", "Token has been expired or revoked.");
            }
            let access = state.issue_access_token();
            axum::Json(json!({
                "access_token": access,
                "expires_in": state.token_ttl.as_secs(),
                "scope": crate::google::GMAIL_READONLY,
                "token_type": "Bearer",
            }))
            .into_response()
        }
        _ => oauth_error("unsupported_grant_type", "Invalid grant_type"),
    }
}

async fn revoke(AxumState(state): AxumState<Shared>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let Some(token) = form.get("token") else {
        return oauth_error("invalid_request", "Missing required parameter: token");
    };
    let mut state = lock(&state);
    let before = state.refresh_tokens.len() + state.access_tokens.len();
    state.refresh_tokens.retain(|t| t != token);
    state.access_tokens.remove(token);
    if state.refresh_tokens.len() + state.access_tokens.len() == before {
        return oauth_error("invalid_token", "Token expired or revoked");
    }
    (StatusCode::OK, axum::Json(json!({}))).into_response()
}

pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route("/o/oauth2/v2/auth", get(authorize))
        .route("/token", post(token))
        .route("/revoke", post(revoke))
        .route("/batch/gmail/v1", post(batch))
        .route("/gmail/v1/{*rest}", get(api))
        .with_state(state)
}
