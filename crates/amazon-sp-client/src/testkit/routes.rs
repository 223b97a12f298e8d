//! The simulator's single request handler: routing, auth, buckets, answers.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::time::Instant;

use super::{Fault, RdtGrant, Sim, SpApiSimulator};

type Query = HashMap<String, String>;

fn errors(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"errors": [{"code": code, "message": message}]})),
    )
        .into_response()
}

/// Amazon's 403: the same code and message whether the token was bad or the
/// permission missing; `details` says which (empty for a permission denial).
fn unauthorized(details: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        axum::Json(json!({"errors": [{
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": details,
        }]})),
    )
        .into_response()
}

fn denied() -> Response {
    unauthorized("")
}

fn answer(sim: &Sim, op: &str, body: Value) -> Response {
    let mut response = axum::Json(body).into_response();
    if let Some((rate, _)) = sim.buckets.plan(op) {
        let value = HeaderValue::from_str(&format!("{rate}")).expect("a number is a header value");
        response
            .headers_mut()
            .insert("x-amzn-RateLimit-Limit", value);
    }
    response.headers_mut().insert(
        "x-amzn-RequestId",
        HeaderValue::from_static("sim-request-id"),
    );
    response
}

/// Which operation a request is, and the order id in its path.
fn route(method: &Method, path: &str) -> Option<(&'static str, Option<String>)> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let op = match (method.as_str(), segments.as_slice()) {
        ("POST", ["auth", "o2", "token"]) => ("lwa.token", None),
        ("POST", ["tokens", "2021-03-01", "restrictedDataToken"]) => {
            ("createRestrictedDataToken", None)
        }
        ("GET", ["orders", "v0", "orders"]) => ("getOrders", None),
        ("GET", ["orders", "v0", "orders", id]) => ("getOrder", Some(id)),
        ("GET", ["orders", "v0", "orders", id, "orderItems"]) => ("getOrderItems", Some(id)),
        ("GET", ["orders", "v0", "orders", id, "buyerInfo"]) => ("getOrderBuyerInfo", Some(id)),
        ("GET", ["orders", "v0", "orders", id, "address"]) => ("getOrderAddress", Some(id)),
        ("GET", ["orders", "v0", "orders", id, "orderItems", "buyerInfo"]) => {
            ("getOrderItemsBuyerInfo", Some(id))
        }
        ("GET", ["orders", "2026-01-01", "orders"]) => ("searchOrders", None),
        ("GET", ["orders", "2026-01-01", "orders", id]) => ("getOrder2026", Some(id)),
        ("GET", ["reports", "2025-06-09", "orderReports"]) => ("getOrderReports", None),
        ("GET", ["reports", "2025-06-09", "orderLineItemReports"]) => {
            ("getOrderLineItemReports", None)
        }
        ("GET", ["reports", "2025-06-09", "shipmentReports"]) => ("getShipmentReports", None),
        _ => return None,
    };
    Some((op.0, op.1.map(|s| (*s).to_owned())))
}

/// Operations served only with a restricted data token.
const RESTRICTED: &[&str] = &[
    "getOrderBuyerInfo",
    "getOrderAddress",
    "getOrderItemsBuyerInfo",
];

/// Operations served with the access token, and with the personal data an
/// RDT's data elements name when sent with one.
const PERSONAL: &[&str] = &["getOrders", "getOrder", "getOrderItems"];

/// Whether an RDT granted for `granted` serves `path`: segment by segment,
/// a `{placeholder}` in the grant stands for any value (Amazon's generic paths).
fn path_matches(granted: &str, path: &str) -> bool {
    let granted: Vec<&str> = granted.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_matches('/').split('/').collect();
    granted.len() == path.len()
        && granted
            .iter()
            .zip(&path)
            .all(|(g, p)| g == p || (g.starts_with('{') && g.ends_with('}')))
}

/// Who is calling, by the token sent.
enum Caller {
    /// The seller's LWA access token.
    Seller,
    /// A restricted data token and what it grants.
    Restricted(RdtGrant),
    /// A token Amazon refuses, with the `details` it gives.
    Refused(&'static str),
}

fn caller(sim: &Sim, token: &str) -> Caller {
    let now = Instant::now();
    let access = sim
        .access
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(token)
        .copied();
    let grant = match access {
        Some(at) if at > now => return Caller::Seller,
        Some(_) => None,
        None => sim
            .rdts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned(),
    };
    match (access, grant) {
        (None, Some(grant)) if grant.expires > now => Caller::Restricted(grant),
        (Some(_), _) | (None, Some(_)) => {
            Caller::Refused("The access token you provided has expired.")
        }
        (None, None) => {
            Caller::Refused("The access token you provided is revoked, malformed or invalid.")
        }
    }
}

/// The answer an injected fault gives in place of the usual one, if any.
fn fault_answer(fault: Option<&Fault>) -> Option<Response> {
    match fault? {
        Fault::AccessDenied => Some(denied()),
        Fault::Error {
            status,
            code,
            message,
        } => Some(errors(
            StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            message,
        )),
        Fault::EdgePage(status) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY);
            let page = format!(
                "<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center></body></html>"
            );
            let mut response = (status, Html(page)).into_response();
            response.headers_mut().insert(
                SET_COOKIE,
                HeaderValue::from_static(SpApiSimulator::EDGE_COOKIE),
            );
            response.headers_mut().insert(
                "x-amzn-RequestId",
                HeaderValue::from_static("sim-request-id"),
            );
            Some(response)
        }
        Fault::Undecodable | Fault::Delay(_) => None,
    }
}

/// Every JSON number as text: the body of [`Fault::Undecodable`].
fn numbers_as_text(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_text).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbers_as_text(v)))
                .collect(),
        ),
        other => other,
    }
}

async fn undecodable(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let value: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let broken = serde_json::to_vec(&numbers_as_text(value)).unwrap_or_default();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(broken))
}

pub(crate) async fn handle(
    State(sim): State<Arc<Sim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.requests.fetch_add(1, Ordering::Relaxed);
    let Some((op, order_id)) = route(&method, uri.path()) else {
        return errors(StatusCode::NOT_FOUND, "NotFound", "no such resource");
    };
    *sim.counts
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(op.to_owned())
        .or_default() += 1;
    let fault = sim
        .faults
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(op)
        .cloned();
    if let Some(Fault::Delay(wait)) = &fault {
        tokio::time::sleep(*wait).await;
    }
    let response = respond(
        &sim,
        op,
        order_id,
        &method,
        &uri,
        &headers,
        &body,
        fault.as_ref(),
    );
    match fault {
        Some(Fault::Undecodable) if response.status().is_success() => undecodable(response).await,
        _ => response,
    }
}

#[allow(clippy::too_many_arguments)]
fn respond(
    sim: &Sim,
    op: &'static str,
    order_id: Option<String>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    fault: Option<&Fault>,
) -> Response {
    let query: Query = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    if op == "lwa.token" {
        return fault_answer(fault).unwrap_or_else(|| token(sim, body));
    }

    let token = headers
        .get("x-amz-access-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // The data elements the caller's RDT grants for this request (none with
    // the access token): what personal data the answer carries.
    let personal: Vec<String> = match caller(sim, token) {
        Caller::Refused(details) => return unauthorized(details),
        Caller::Seller if RESTRICTED.contains(&op) => return denied(),
        Caller::Seller => Vec::new(),
        Caller::Restricted(grant) if RESTRICTED.contains(&op) || PERSONAL.contains(&op) => {
            match grant
                .resources
                .iter()
                .find(|(m, p, _)| m == method.as_str() && path_matches(p, uri.path()))
            {
                Some((_, _, elements)) => elements.clone(),
                None => return denied(),
            }
        }
        // An RDT opens the resources it names and nothing else.
        Caller::Restricted(_) => return denied(),
    };
    if let Some(faulty) = fault_answer(fault) {
        return faulty;
    }
    let storm = sim.storm.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match storm.strike(uri.path()) {
        Some(spend_http::testkit::StormFault::TooManyRequests) => {
            sim.throttled.fetch_add(1, Ordering::Relaxed);
            return errors(
                StatusCode::TOO_MANY_REQUESTS,
                "QuotaExceeded",
                "You exceeded your quota for the requested resource.",
            );
        }
        Some(spend_http::testkit::StormFault::Unavailable) => {
            return errors(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "Service temporarily unavailable.",
            );
        }
        None => {}
    }
    if !sim.buckets.take(op, SpApiSimulator::SELLER_ID) {
        sim.throttled.fetch_add(1, Ordering::Relaxed);
        let mut response = errors(
            StatusCode::TOO_MANY_REQUESTS,
            "QuotaExceeded",
            "You exceeded your quota for the requested resource.",
        );
        if let Some((rate, _)) = sim.buckets.plan(op) {
            response.headers_mut().insert(
                "x-amzn-RateLimit-Limit",
                HeaderValue::from_str(&format!("{rate}")).expect("a number"),
            );
        }
        return response;
    }
    let order = order_id
        .as_deref()
        .and_then(|id| sim.orders.iter().find(|o| o.id == id));
    if order_id.is_some() && order.is_none() {
        return errors(
            StatusCode::NOT_FOUND,
            "NotFound",
            "The order was not found.",
        );
    }
    let marketplace = crate::Marketplace::UK;
    match (op, order) {
        ("createRestrictedDataToken", _) => rdt(sim, body),
        ("getOrders", _) => {
            let (page, next) = page(
                sim,
                &query,
                "NextToken",
                "MaxResultsPerPage",
                "CreatedAfter",
                "CreatedBefore",
            );
            let orders: Vec<Value> = page.iter().map(|o| o.v0(marketplace, &personal)).collect();
            let mut payload = json!({"Orders": orders});
            if let Some(next) = next {
                payload["NextToken"] = next.into();
            }
            answer(sim, op, json!({"payload": payload}))
        }
        ("getOrder", Some(o)) => answer(sim, op, json!({"payload": o.v0(marketplace, &personal)})),
        ("getOrderItems", Some(o)) => {
            let items = o.v0_items(&personal);
            let size = sim.config.items_page_size.max(1);
            let start: usize = query
                .get("NextToken")
                .and_then(|t| t.strip_prefix("items-"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let mut payload = json!({"AmazonOrderId": o.id, "OrderItems": items.iter().skip(start).take(size).collect::<Vec<_>>()});
            if start + size < items.len() {
                payload["NextToken"] = format!("items-{}", start + size).into();
            }
            answer(sim, op, json!({"payload": payload}))
        }
        ("getOrderBuyerInfo", Some(o)) => answer(
            sim,
            op,
            json!({"payload": {"AmazonOrderId": o.id, "BuyerEmail": "buyer-7@marketplace.amazon.co.uk", "BuyerName": "A. Buyer"}}),
        ),
        ("getOrderAddress", Some(o)) => answer(
            sim,
            op,
            json!({"payload": {"AmazonOrderId": o.id, "ShippingAddress": {"Name": "A. Buyer", "AddressLine1": "1 Example Street", "City": "London", "PostalCode": "SW1A 1AA", "CountryCode": "GB"}}}),
        ),
        ("getOrderItemsBuyerInfo", Some(o)) => {
            let items: Vec<Value> = o
                .items
                .iter()
                .map(|i| json!({"OrderItemId": i.0, "GiftMessageText": "Happy birthday"}))
                .collect();
            answer(
                sim,
                op,
                json!({"payload": {"AmazonOrderId": o.id, "OrderItems": items}}),
            )
        }
        ("searchOrders", _) => {
            let (page, next) = page(
                sim,
                &query,
                "paginationToken",
                "maxResultsPerPage",
                "createdAfter",
                "createdBefore",
            );
            let orders: Vec<Value> = page.iter().map(|o| o.v2026(marketplace)).collect();
            let mut body = json!({"orders": orders});
            if let Some(next) = next {
                body["pagination"] = json!({"nextToken": next});
            }
            answer(sim, op, body)
        }
        ("getOrder2026", Some(o)) => answer(sim, op, json!({"order": o.v2026(marketplace)})),
        // The Amazon Business reports page through the same orders; each
        // report shows its own rows of them under its own field.
        ("getOrderReports" | "getOrderLineItemReports" | "getShipmentReports", _) => {
            let (page, next) = page(
                sim,
                &query,
                "nextPageToken",
                "",
                "orderStartDate",
                "orderEndDate",
            );
            let (field, rows): (&str, Vec<Value>) = match op {
                "getOrderReports" => (
                    "ordersReport",
                    page.iter().map(|o| o.business_order()).collect(),
                ),
                "getOrderLineItemReports" => (
                    "orderLineItemsReport",
                    page.iter().flat_map(|o| o.business_lines()).collect(),
                ),
                _ => (
                    "shipmentsReport",
                    page.iter().flat_map(|o| o.business_shipments()).collect(),
                ),
            };
            answer(sim, op, with_token(json!({ field: rows }), next))
        }
        _ => errors(StatusCode::NOT_FOUND, "NotFound", "no such resource"),
    }
}

fn with_token(mut body: Value, next: Option<String>) -> Value {
    if let Some(next) = next {
        body["nextPageToken"] = next.into();
    }
    body
}

fn parse_time(text: Option<&String>) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text?, &time::format_description::well_known::Rfc3339).ok()
}

/// The orders of one page, filtered by creation time, and the next page's token.
fn page<'a>(
    sim: &'a Sim,
    query: &Query,
    token: &str,
    size: &str,
    after: &str,
    before: &str,
) -> (Vec<&'a super::data::SimOrder>, Option<String>) {
    let (after, before) = (parse_time(query.get(after)), parse_time(query.get(before)));
    let matching: Vec<&super::data::SimOrder> = sim
        .orders
        .iter()
        .filter(|o| {
            after.is_none_or(|a| o.purchased >= a) && before.is_none_or(|b| o.purchased <= b)
        })
        .collect();
    let size = query
        .get(size)
        .and_then(|s| s.parse().ok())
        .unwrap_or(sim.config.page_size)
        .clamp(1, 100);
    let start: usize = query
        .get(token)
        .and_then(|t| t.strip_prefix("page-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let page = matching.iter().skip(start).take(size).copied().collect();
    let next = (start + size < matching.len()).then(|| format!("page-{}", start + size));
    (page, next)
}

fn token(sim: &Sim, body: &Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let lwa_error = |status: StatusCode, error: &str, description: &str| {
        (
            status,
            axum::Json(json!({"error": error, "error_description": description})),
        )
            .into_response()
    };
    if field("client_id") != SpApiSimulator::CLIENT_ID
        || field("client_secret") != SpApiSimulator::CLIENT_SECRET
    {
        return lwa_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    }
    let refresh = match field("grant_type") {
        "refresh_token" if field("refresh_token") == SpApiSimulator::REFRESH_TOKEN => None,
        "refresh_token" => {
            return lwa_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "The request has an invalid grant parameter : refresh_token",
            );
        }
        "authorization_code" if !field("code").is_empty() => Some(SpApiSimulator::REFRESH_TOKEN),
        "client_credentials" if field("scope").starts_with("sellingpartnerapi::") => None,
        _ => {
            return lwa_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "unsupported grant",
            );
        }
    };
    let n = sim.serial.fetch_add(1, Ordering::Relaxed);
    let access = format!("Atza|sim-{n:08}");
    sim.access
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(access.clone(), Instant::now() + sim.config.access_token_ttl);
    let mut body = json!({"access_token": access, "token_type": "bearer", "expires_in": sim.config.access_token_ttl.as_secs()});
    if let Some(refresh) = refresh {
        body["refresh_token"] = refresh.into();
    }
    axum::Json(body).into_response()
}

fn rdt(sim: &Sim, body: &Bytes) -> Response {
    let request: Value = serde_json::from_slice(body).unwrap_or_default();
    let resources: Vec<(String, String, Vec<String>)> = request["restrictedResources"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| {
                    let elements = x["dataElements"]
                        .as_array()
                        .map(|e| {
                            e.iter()
                                .filter_map(|d| d.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    Some((
                        x["method"].as_str()?.to_owned(),
                        x["path"].as_str()?.to_owned(),
                        elements,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    if resources.is_empty() {
        return errors(
            StatusCode::BAD_REQUEST,
            "InvalidInput",
            "Resource not provided.",
        );
    }
    let n = sim.serial.fetch_add(1, Ordering::Relaxed);
    let token = format!("Atz.sprdt|sim-{n:08}");
    let lifetime = std::time::Duration::from_secs(3600);
    sim.rdts.lock().unwrap_or_else(|e| e.into_inner()).insert(
        token.clone(),
        RdtGrant {
            resources,
            expires: Instant::now() + lifetime,
        },
    );
    answer(
        sim,
        "createRestrictedDataToken",
        json!({"restrictedDataToken": token, "expiresIn": lifetime.as_secs()}),
    )
}
