//! The simulator's single request handler: routing, auth, buckets, answers.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::time::Instant;

use super::{Sim, SpApiSimulator};

type Query = HashMap<String, String>;

fn errors(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"errors": [{"code": code, "message": message}]})),
    )
        .into_response()
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

const RESTRICTED: &[&str] = &[
    "getOrderBuyerInfo",
    "getOrderAddress",
    "getOrderItemsBuyerInfo",
];

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
    let query: Query = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    if op == "lwa.token" {
        return token(&sim, &body);
    }

    let token = headers
        .get("x-amz-access-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if RESTRICTED.contains(&op) {
        let granted = sim
            .rdts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&token)
            .cloned()
            .unwrap_or_default();
        if !granted.iter().any(|p| p == uri.path()) {
            return errors(
                StatusCode::FORBIDDEN,
                "Unauthorized",
                "Access to requested resource is denied. A restricted data token is required.",
            );
        }
    } else {
        let expiry = sim
            .access
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&token)
            .copied();
        match expiry {
            Some(at) if at > Instant::now() => {}
            Some(_) => {
                return errors(
                    StatusCode::FORBIDDEN,
                    "Unauthorized",
                    "The access token you provided has expired.",
                );
            }
            None => {
                return errors(
                    StatusCode::FORBIDDEN,
                    "Unauthorized",
                    "Access to requested resource is denied.",
                );
            }
        }
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
        ("createRestrictedDataToken", _) => rdt(&sim, &body),
        ("getOrders", _) => {
            let (page, next) = page(
                &sim,
                &query,
                "NextToken",
                "MaxResultsPerPage",
                "CreatedAfter",
                "CreatedBefore",
            );
            let orders: Vec<Value> = page.iter().map(|o| o.v0(marketplace)).collect();
            let mut payload = json!({"Orders": orders});
            if let Some(next) = next {
                payload["NextToken"] = next.into();
            }
            answer(&sim, op, json!({"payload": payload}))
        }
        ("getOrder", Some(o)) => answer(&sim, op, json!({"payload": o.v0(marketplace)})),
        ("getOrderItems", Some(o)) => {
            let items = o.v0_items();
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
            answer(&sim, op, json!({"payload": payload}))
        }
        ("getOrderBuyerInfo", Some(o)) => answer(
            &sim,
            op,
            json!({"payload": {"AmazonOrderId": o.id, "BuyerEmail": "buyer-7@marketplace.amazon.co.uk", "BuyerName": "A. Buyer"}}),
        ),
        ("getOrderAddress", Some(o)) => answer(
            &sim,
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
                &sim,
                op,
                json!({"payload": {"AmazonOrderId": o.id, "OrderItems": items}}),
            )
        }
        ("searchOrders", _) => {
            let (page, next) = page(
                &sim,
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
            answer(&sim, op, body)
        }
        ("getOrder2026", Some(o)) => answer(&sim, op, json!({"order": o.v2026(marketplace)})),
        // The Amazon Business reports page through the same orders; each
        // report shows its own rows of them under its own field.
        ("getOrderReports" | "getOrderLineItemReports" | "getShipmentReports", _) => {
            let (page, next) = page(
                &sim,
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
            answer(&sim, op, with_token(json!({ field: rows }), next))
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
    let paths: Vec<String> = request["restrictedResources"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x["path"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if paths.is_empty() {
        return errors(
            StatusCode::BAD_REQUEST,
            "InvalidInput",
            "Resource not provided.",
        );
    }
    let n = sim.serial.fetch_add(1, Ordering::Relaxed);
    let token = format!("Atz.sprdt|sim-{n:08}");
    sim.rdts
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(token.clone(), paths);
    answer(
        sim,
        "createRestrictedDataToken",
        json!({"restrictedDataToken": token, "expiresIn": 3600}),
    )
}
