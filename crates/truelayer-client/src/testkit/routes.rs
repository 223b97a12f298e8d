//! The sandbox's HTTP routes: auth server and Data API.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State as Ext};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::Serialize;
use serde_json::json;
use time::Date;
use tokio::time::Instant;

use super::Sandbox;
use super::state::State;
use crate::models::{
    AsyncResponse, BatchAccount, BatchCard, BatchData, BatchResults, BatchWindow, Info, Me,
    Provider, ResponseStatus, Results, Scope, Transaction,
};

type Shared = Arc<State>;
type Params = Query<HashMap<String, String>>;

pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(consent))
        .route("/connect/token", post(token))
        .route("/v1/authuri", post(auth_link))
        .route("/v1/reauthuri", post(auth_link))
        .route("/api/providers", get(providers))
        .route("/api/delete", delete(delete_credential))
        .route("/api/debug", post(debug_id).delete(debug_id))
        .route("/data/v1/me", get(me))
        .route("/data/v1/info", get(info))
        .route("/data/v1/accounts", get(accounts))
        .route("/data/v1/accounts/{id}", get(account))
        .route("/data/v1/accounts/{id}/balance", get(account_balance))
        .route("/data/v1/accounts/{id}/transactions", get(settled))
        .route("/data/v1/accounts/{id}/transactions/pending", get(pending))
        .route(
            "/data/v1/accounts/{id}/standing_orders",
            get(standing_orders),
        )
        .route("/data/v1/accounts/{id}/direct_debits", get(direct_debits))
        .route("/data/v1/cards", get(cards))
        .route("/data/v1/cards/{id}", get(card))
        .route("/data/v1/cards/{id}/balance", get(card_balance))
        .route("/data/v1/cards/{id}/transactions", get(settled))
        .route("/data/v1/cards/{id}/transactions/pending", get(pending))
        .route("/data/v1/batch/transactions", post(batch_start))
        .route("/data/v1/batch/results", get(batch_results))
        .route("/data/v1/connections/extend", post(extend))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), gate))
        .with_state(state)
}

fn tl_error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": code, "error_description": description, "error_details": {}})),
    )
        .into_response()
}

fn results<T: Serialize>(items: Vec<T>) -> Response {
    Json(Results {
        results: items,
        status: Some(ResponseStatus::Succeeded),
    })
    .into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// What TrueLayer does before any handler: injected delays and errors,
/// bearer checks, the unattended-call limit, and `async=true`.
async fn gate(Ext(state): Ext<Shared>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let hold = {
        let mut inner = state.lock();
        *inner.requests.entry(path.clone()).or_default() += 1;
        inner
            .delays
            .iter_mut()
            .find(|d| d.remaining > 0 && path.starts_with(&d.path_prefix))
            .map(|d| {
                d.remaining -= 1;
                d.by
            })
    };
    if let Some(by) = hold {
        tokio::time::sleep(by).await;
    }
    {
        let mut inner = state.lock();
        if let Some(injection) = inner
            .injections
            .iter_mut()
            .find(|i| i.remaining > 0 && path.starts_with(&i.path_prefix))
        {
            injection.remaining -= 1;
            let status =
                StatusCode::from_u16(injection.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, Json(injection.body.clone())).into_response();
        }
    }
    if !path.starts_with("/data/v1/") {
        return next.run(request).await;
    }
    let storm = state.lock().storm.clone();
    match storm.strike(&path) {
        Some(spend_http::testkit::StormFault::TooManyRequests) => {
            return tl_error(
                StatusCode::TOO_MANY_REQUESTS,
                "provider_too_many_requests",
                "Too many requests",
            );
        }
        Some(spend_http::testkit::StormFault::Unavailable) => {
            return tl_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "provider_error",
                "The provider service is unavailable.",
            );
        }
        None => {}
    }
    if path == "/data/v1/connections/extend" {
        // As TrueLayer's guide says, extending "does not require a valid
        // access_token": the client credentials and the refresh token in the
        // body authenticate it.
        return next.run(request).await;
    }
    {
        let mut inner = state.lock();
        let token = bearer(request.headers()).unwrap_or_default();
        match inner.access.get(token) {
            Some(expiry) if *expiry > Instant::now() => {}
            Some(_) => {
                return tl_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "The token expired",
                );
            }
            None => {
                return tl_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "The token is not valid",
                );
            }
        }
        let attended = request.headers().contains_key("x-psu-ip");
        if request.method() == Method::GET && !attended && !path.ends_with("/batch/results") {
            let consent = inner.consent_of.get(token).cloned().unwrap_or_default();
            let calls = inner
                .unattended
                .entry(format!("{consent} {path}"))
                .or_default();
            *calls += 1;
            if *calls > state.config.unattended_limit {
                return tl_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "provider_request_limit_exceeded",
                    "Maximum number of requests per user allowed by provider exceeded.",
                );
            }
        }
        if request
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|p| p == "async=true"))
        {
            let task = inner.token("task");
            inner.tasks.insert(task.clone());
            let body = AsyncResponse {
                results_uri: Some(format!("{}/data/v1/results/{task}", state.base())),
                status: Some(ResponseStatus::Queued),
                task_id: Some(task),
            };
            return (StatusCode::ACCEPTED, Json(body)).into_response();
        }
    }
    next.run(request).await
}

fn fields(headers: &HeaderMap, body: &Bytes) -> HashMap<String, String> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        let map: HashMap<String, serde_json::Value> =
            serde_json::from_slice(body).unwrap_or_default();
        map.into_iter()
            .map(|(k, v)| {
                (
                    k,
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect()
    } else {
        url::form_urlencoded::parse(body).into_owned().collect()
    }
}

async fn token(Ext(state): Ext<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let f = fields(&headers, &body);
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    if field("client_id") != Sandbox::CLIENT_ID || field("client_secret") != Sandbox::CLIENT_SECRET
    {
        return tl_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            "The client credentials you have entered are incorrect. Please check and try again.",
        );
    }
    let grant = field("grant_type").to_owned();
    let mut inner = state.lock();
    // The consent the new tokens belong to: a new one for a code, the
    // refresh token's for a refresh.
    let consent = match grant.as_str() {
        "authorization_code" => field("code").to_owned(),
        "refresh_token" => inner
            .consent_of
            .get(field("refresh_token"))
            .cloned()
            .unwrap_or_default(),
        _ => String::new(),
    };
    let refresh = match grant.as_str() {
        "authorization_code" => {
            let Some(challenge) = inner.codes.remove(field("code")) else {
                return tl_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The authorization code is invalid or was already used.",
                );
            };
            if let Some(challenge) = challenge {
                let verifier = oauth2::PkceCodeVerifier::new(field("code_verifier").to_owned());
                if oauth2::PkceCodeChallenge::from_code_verifier_sha256(&verifier).as_str()
                    != challenge
                {
                    return tl_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "PKCE verification failed.",
                    );
                }
            }
            true
        }
        "refresh_token" => {
            // Rotation: a refresh token works once.
            if !inner.refresh.remove(field("refresh_token")) {
                return tl_error(StatusCode::BAD_REQUEST, "invalid_grant", "");
            }
            true
        }
        "client_credentials" => false,
        _ => {
            return tl_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "unsupported grant_type",
            );
        }
    };
    *inner.grants.entry(grant).or_default() += 1;
    let access = inner.token("at");
    inner.access.insert(
        access.clone(),
        Instant::now() + state.config.access_token_ttl,
    );
    inner.consent_of.insert(access.clone(), consent.clone());
    let mut body = json!({
        "access_token": access,
        "expires_in": state.config.access_token_ttl.as_secs(),
        "token_type": "Bearer",
        "scope": "info accounts balance cards transactions direct_debits standing_orders offline_access",
    });
    if refresh {
        let rt = inner.token("rt");
        inner.refresh.insert(rt.clone());
        inner.consent_of.insert(rt.clone(), consent);
        body["refresh_token"] = rt.into();
    }
    Json(body).into_response()
}

/// The consent page the authorisation URL opens: the simulated person
/// picks the mock bank and agrees at once, and the browser goes back to the
/// redirect with a code (bound to the PKCE challenge) and the `state`.
async fn consent(Ext(state): Ext<Shared>, Query(q): Params) -> Response {
    let Some(redirect) = q.get("redirect_uri").and_then(|r| url::Url::parse(r).ok()) else {
        return tl_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is required",
        );
    };
    if q.get("response_type").map(String::as_str) != Some("code") {
        return tl_error(
            StatusCode::BAD_REQUEST,
            "unsupported_response_type",
            "response_type must be code",
        );
    }
    let code = state.issue_code(q.get("code_challenge").map(String::as_str));
    let mut back = redirect;
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", q.get("state").map_or("", String::as_str));
    (StatusCode::FOUND, [(header::LOCATION, back.to_string())]).into_response()
}

async fn auth_link(Ext(state): Ext<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let f = fields(&headers, &body);
    if f.get("redirect_uri").is_none_or(String::is_empty) {
        return tl_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is required",
        );
    }
    let state_param = f.get("state").cloned().unwrap_or_default();
    let link = format!("{}/bank-login?state={state_param}", state.base());
    Json(json!({"result": link, "success": true})).into_response()
}

async fn providers(Query(q): Params) -> Response {
    let all = [
        ("mock", "Mock", "uk"),
        ("ob-lloyds", "Lloyds", "uk"),
        ("ob-monzo", "Monzo", "uk"),
        ("stet-credit-agricole", "Crédit Agricole", "fr"),
    ];
    let countries: Vec<&str> = q
        .get("country")
        .map(|c| c.split(' ').collect())
        .unwrap_or_default();
    let list: Vec<Provider> = all
        .iter()
        .filter(|(_, _, c)| countries.is_empty() || countries.contains(c))
        .map(|(id, name, country)| Provider {
            provider_id: (*id).into(),
            display_name: (*name).into(),
            logo_url: Some(format!(
                "https://truelayer-provider-assets.s3.amazonaws.com/global/logos/{id}.svg"
            )),
            scopes: vec![
                Scope::Info,
                Scope::Accounts,
                Scope::Balance,
                Scope::Transactions,
                Scope::Cards,
                Scope::OfflineAccess,
            ],
            country: Some((*country).into()),
            ..Default::default()
        })
        .collect();
    Json(list).into_response()
}

async fn delete_credential(Ext(state): Ext<Shared>, headers: HeaderMap) -> Response {
    let mut inner = state.lock();
    match bearer(&headers).and_then(|t| inner.access.remove(t)) {
        Some(_) => {
            inner.refresh.clear();
            StatusCode::OK.into_response()
        }
        None => tl_error(StatusCode::UNAUTHORIZED, "unauthorized", "Invalid token"),
    }
}

async fn debug_id() -> Response {
    Json(json!({"credentials_id": "sandbox-credentials", "debug_id": "mock|c2FuZGJveA", "provider_id": "mock"})).into_response()
}

async fn me() -> Response {
    results(vec![Me {
        client_id: Some(Sandbox::CLIENT_ID.into()),
        credentials_id: Some("sandbox-credentials".into()),
        consent_status: Some("Authorised".into()),
        scopes: vec![
            Scope::Info,
            Scope::Accounts,
            Scope::Balance,
            Scope::Cards,
            Scope::Transactions,
            Scope::OfflineAccess,
        ],
        ..Default::default()
    }])
}

async fn info() -> Response {
    results(vec![Info {
        full_name: Some("A. N. Other".into()),
        ..Default::default()
    }])
}

fn not_found(what: &str) -> Response {
    tl_error(
        StatusCode::NOT_FOUND,
        &format!("{what}_not_found"),
        &format!("{what} not found"),
    )
}

/// The results of a known account or card, or TrueLayer's 404 for an unknown one.
fn found<T: Serialize>(items: Option<Vec<T>>) -> Response {
    match items {
        Some(items) => results(items),
        None => not_found("account"),
    }
}

fn card_only(state: &State) -> Option<Response> {
    state.config.card_only.then(|| {
        tl_error(
            StatusCode::NOT_IMPLEMENTED,
            "endpoint_not_supported",
            "Feature not supported by the provider",
        )
    })
}

async fn accounts(Ext(state): Ext<Shared>) -> Response {
    if let Some(r) = card_only(&state) {
        return r;
    }
    results(state.lock().bank.accounts.clone())
}

async fn account(Ext(state): Ext<Shared>, Path(id): Path<String>) -> Response {
    if let Some(r) = card_only(&state) {
        return r;
    }
    let inner = state.lock();
    let account = inner
        .bank
        .accounts
        .iter()
        .find(|a| a.account_id.as_deref() == Some(&id));
    found(account.cloned().map(|a| vec![a]))
}

async fn account_balance(Ext(state): Ext<Shared>, Path(id): Path<String>) -> Response {
    if let Some(r) = card_only(&state) {
        return r;
    }
    found(
        state
            .lock()
            .bank
            .balances
            .get(&id)
            .cloned()
            .map(|b| vec![b]),
    )
}

async fn standing_orders(Ext(state): Ext<Shared>, Path(id): Path<String>) -> Response {
    found(state.lock().bank.standing_orders.get(&id).cloned())
}

async fn direct_debits(Ext(state): Ext<Shared>, Path(id): Path<String>) -> Response {
    found(state.lock().bank.direct_debits.get(&id).cloned())
}

async fn cards(Ext(state): Ext<Shared>) -> Response {
    results(state.lock().bank.cards.clone())
}

async fn card(Ext(state): Ext<Shared>, Path(id): Path<String>) -> Response {
    let inner = state.lock();
    let card = inner
        .bank
        .cards
        .iter()
        .find(|c| c.account_id.as_deref() == Some(&id));
    found(card.cloned().map(|c| vec![c]))
}

async fn card_balance(Ext(state): Ext<Shared>, Path(id): Path<String>) -> Response {
    found(
        state
            .lock()
            .bank
            .card_balances
            .get(&id)
            .cloned()
            .map(|b| vec![b]),
    )
}

/// Reads a `from`/`to` bound (a date or an RFC 3339 instant) as a date.
#[expect(
    clippy::result_large_err,
    reason = "the error is the HTTP answer itself"
)]
fn bound(q: &HashMap<String, String>, key: &str) -> Result<Option<Date>, Response> {
    let Some(text) = q.get(key) else {
        return Ok(None);
    };
    let day = text.get(..10).unwrap_or(text);
    Date::parse(
        day,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(Some)
    .map_err(|_| {
        tl_error(
            StatusCode::BAD_REQUEST,
            "invalid_date_range",
            "Invalid date range provided.",
        )
    })
}

#[expect(
    clippy::result_large_err,
    reason = "the error is the HTTP answer itself"
)]
fn window(list: &[Transaction], q: &HashMap<String, String>) -> Result<Vec<Transaction>, Response> {
    let (from, to) = (bound(q, "from")?, bound(q, "to")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(tl_error(
            StatusCode::BAD_REQUEST,
            "invalid_date_range",
            "Invalid date range provided.",
        ));
    }
    Ok(list
        .iter()
        .filter(|tx| {
            let Some(day) = tx.timestamp.date() else {
                return true;
            };
            from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t)
        })
        .cloned()
        .collect())
}

fn transactions(
    state: &State,
    id: &str,
    pending: bool,
    uri_path: &str,
    q: &HashMap<String, String>,
) -> Response {
    let inner = state.lock();
    let is_card_path = uri_path.starts_with("/data/v1/cards/");
    if !is_card_path && state.config.card_only {
        return tl_error(
            StatusCode::NOT_IMPLEMENTED,
            "endpoint_not_supported",
            "Feature not supported by the provider",
        );
    }
    let known = if is_card_path {
        inner.bank.is_card(id)
    } else {
        inner.bank.is_account(id)
    };
    if !known {
        return not_found("account");
    }
    let source = if pending {
        &inner.bank.pending
    } else {
        &inner.bank.settled
    };
    match window(source.get(id).map(Vec::as_slice).unwrap_or_default(), q) {
        Ok(list) => results(list),
        Err(e) => e,
    }
}

async fn settled(
    Ext(state): Ext<Shared>,
    Path(id): Path<String>,
    Query(q): Params,
    uri: axum::http::Uri,
) -> Response {
    transactions(&state, &id, false, uri.path(), &q)
}

async fn pending(
    Ext(state): Ext<Shared>,
    Path(id): Path<String>,
    Query(q): Params,
    uri: axum::http::Uri,
) -> Response {
    transactions(&state, &id, true, uri.path(), &q)
}

async fn batch_start(Ext(state): Ext<Shared>) -> Response {
    let mut inner = state.lock();
    let task = inner.token("batch");
    inner.tasks.insert(task.clone());
    let body = AsyncResponse {
        results_uri: Some(format!(
            "{}/data/v1/batch/results?task_id={task}",
            state.base()
        )),
        status: Some(ResponseStatus::Queued),
        task_id: Some(task),
    };
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

async fn batch_results(Ext(state): Ext<Shared>, Query(q): Params) -> Response {
    let inner = state.lock();
    let task = q.get("task_id").cloned().unwrap_or_default();
    if !inner.tasks.contains(&task) {
        return not_found("task");
    }
    let bank = &inner.bank;
    let accounts = bank
        .accounts
        .iter()
        .filter_map(|a| a.account_id.clone())
        .map(|id| BatchAccount {
            transactions: bank.settled.get(&id).cloned().unwrap_or_default(),
            pending_transactions: bank.pending.get(&id).cloned().unwrap_or_default(),
            balance: bank.balances.get(&id).cloned(),
            account_id: Some(id),
        })
        .collect();
    let cards = bank
        .cards
        .iter()
        .filter_map(|c| c.account_id.clone())
        .map(|id| BatchCard {
            transactions: bank.settled.get(&id).cloned().unwrap_or_default(),
            pending_transactions: bank.pending.get(&id).cloned().unwrap_or_default(),
            balance: bank.card_balances.get(&id).cloned(),
            account_id: Some(id),
        })
        .collect();
    Json(BatchResults {
        status: ResponseStatus::Succeeded,
        task_id: task,
        request: BatchWindow::default(),
        results: BatchData { accounts, cards },
    })
    .into_response()
}

async fn extend(Ext(state): Ext<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let f = fields(&headers, &body);
    let missing: Vec<&str> = [
        "client_id",
        "client_secret",
        "refresh_token",
        "redirect_uri",
    ]
    .into_iter()
    .filter(|k| f.get(*k).is_none_or(String::is_empty))
    .collect();
    if !missing.is_empty() {
        let errors: serde_json::Map<String, serde_json::Value> = missing
            .iter()
            .map(|k| {
                (
                    (*k).to_owned(),
                    json!([format!("The {k} field is required.")]),
                )
            })
            .collect();
        let problem = json!({
            "type": "https://docs.truelayer.com/#connection-api-errors",
            "title": "One or more validation errors occurred.",
            "status": 400,
            "instance": "/connections/extend",
            "trace_id": uuid::Uuid::new_v4().to_string(),
            "errors": errors,
        });
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/problem+json")],
            problem.to_string(),
        )
            .into_response();
    }
    let mut inner = state.lock();
    let consent = inner
        .consent_of
        .get(&f["refresh_token"])
        .cloned()
        .unwrap_or_default();
    if !inner.refresh.remove(&f["refresh_token"]) {
        let problem = json!({
            "type": "https://docs.truelayer.com/#connection-api-errors",
            "title": "Unauthorized", "status": 401, "detail": "Refresh token missing or invalid.",
            "instance": "/connections/extend", "trace_id": uuid::Uuid::new_v4().to_string(),
        });
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/problem+json")],
            problem.to_string(),
        )
            .into_response();
    }
    let (access, refresh) = (inner.token("at"), inner.token("rt"));
    inner.access.insert(
        access.clone(),
        Instant::now() + state.config.access_token_ttl,
    );
    inner.refresh.insert(refresh.clone());
    inner.consent_of.insert(access.clone(), consent.clone());
    inner.consent_of.insert(refresh.clone(), consent);
    Json(json!({
        "action_needed": "no_action_needed",
        "access_token": access,
        "expires_in": state.config.access_token_ttl.as_secs(),
        "refresh_token": refresh,
        "token_type": "Bearer",
    }))
    .into_response()
}
