//! Contract test: every `x-amzn-api-sandbox` static example in Amazon's three
//! model files. The client builds the example's request (path, query, body)
//! from the example's parameters; a mock server answers with the example's
//! response, which must deserialize (or come back as the typed error).

use std::collections::BTreeMap;
use std::path::PathBuf;

use amazon_sp_client::orders_2026::IncludedData;
use amazon_sp_client::orders_v0::{ConfirmShipmentRequest, UpdateShipmentStatusRequest};
use amazon_sp_client::tokens::RestrictedResource;
use amazon_sp_client::{Endpoint, Error, LwaClient, LwaCredentials, SpApiClient};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn spec(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/specs/amazon-sp-api")
        .join(name);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

struct Example {
    file: &'static str,
    operation: String,
    method: String,
    path_template: String,
    status: u16,
    params: BTreeMap<String, Value>,
    locations: BTreeMap<String, String>,
    response: Value,
}

fn examples() -> Vec<Example> {
    let mut all = Vec::new();
    for file in [
        "ordersV0.json",
        "orders_2026-01-01.json",
        "tokens_2021-03-01.json",
    ] {
        let spec = spec(file);
        for (path_template, item) in spec["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let Some(operation) = op["operationId"].as_str() else {
                    continue;
                };
                let locations: BTreeMap<String, String> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| {
                        Some((p["name"].as_str()?.to_owned(), p["in"].as_str()?.to_owned()))
                    })
                    .collect();
                for (status, response) in op["responses"].as_object().unwrap() {
                    for example in response["x-amzn-api-sandbox"]["static"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        let params = example["request"]["parameters"]
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(k, v)| (k.clone(), v["value"].clone()))
                                    .collect()
                            })
                            .unwrap_or_default();
                        all.push(Example {
                            file,
                            operation: operation.to_owned(),
                            method: method.to_uppercase(),
                            path_template: path_template.clone(),
                            status: status.parse().unwrap(),
                            params,
                            locations: locations.clone(),
                            response: example["response"].clone(),
                        });
                    }
                }
            }
        }
    }
    all
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// An example without a path parameter matches any request in Amazon's
/// sandbox; the client needs some order id to build one.
const ANY_ORDER: &str = "902-0000000-0000000";

impl Example {
    fn param(&self, name: &str) -> Option<String> {
        self.params.get(name).map(text)
    }

    fn expected_path(&self) -> String {
        let mut p = self.path_template.clone();
        for (name, location) in &self.locations {
            if location == "path" {
                p = p.replace(
                    &format!("{{{name}}}"),
                    &self.param(name).unwrap_or_else(|| ANY_ORDER.to_owned()),
                );
            }
        }
        p
    }

    fn expected_query(&self) -> BTreeMap<String, String> {
        self.params
            .iter()
            .filter(|(k, _)| self.locations.get(*k).map(String::as_str) == Some("query"))
            .map(|(k, v)| (k.clone(), text(v)))
            .collect()
    }

    /// The body: the parameter the model puts `in: body`, which Amazon's
    /// sandbox examples call `body` whatever its name in the model.
    fn body(&self) -> Option<Value> {
        self.params
            .iter()
            .find(|(k, _)| {
                *k == "body" || self.locations.get(*k).map(String::as_str) == Some("body")
            })
            .map(|(_, v)| v.clone())
    }

    /// Calls the client's method for this operation with the example's parameters.
    async fn call(&self, client: &SpApiClient) -> Result<(), Error> {
        let order = self
            .param("orderId")
            .unwrap_or_else(|| ANY_ORDER.to_owned());
        let v0 = client.orders_v0();
        match (self.file, self.operation.as_str()) {
            ("ordersV0.json", "getOrders") => {
                let ids: Vec<String> = self
                    .params
                    .get("MarketplaceIds")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(text)
                    .collect();
                let mut request = v0.get_orders(ids);
                if let Some(after) = self.param("CreatedAfter") {
                    request = request.created_after(after.as_str());
                }
                if let Some(token) = self.param("NextToken") {
                    request = request.next_token(&token);
                }
                request.send().await.map(drop)
            }
            ("ordersV0.json", "getOrder") => v0.get_order(&order).await.map(drop),
            ("ordersV0.json", "getOrderBuyerInfo") => {
                v0.get_order_buyer_info(&order).await.map(drop)
            }
            ("ordersV0.json", "getOrderAddress") => v0.get_order_address(&order).await.map(drop),
            ("ordersV0.json", "getOrderItems") => v0.get_order_items(&order).send().await.map(drop),
            ("ordersV0.json", "getOrderItemsBuyerInfo") => v0
                .get_order_items_buyer_info(&order, self.param("NextToken").as_deref())
                .await
                .map(drop),
            ("ordersV0.json", "getOrderRegulatedInfo") => {
                v0.get_order_regulated_info(&order).await.map(drop)
            }
            ("ordersV0.json", "updateShipmentStatus") => {
                let body = self.body().unwrap_or_else(|| json!({"marketplaceId": "ATVPDKIKX0DER", "shipmentStatus": "ReadyForPickup"}));
                let request: UpdateShipmentStatusRequest = serde_json::from_value(body).unwrap();
                v0.update_shipment_status(&order, &request).await
            }
            ("ordersV0.json", "updateVerificationStatus") => {
                v0.update_verification_status(&order, &self.body().unwrap())
                    .await
            }
            ("ordersV0.json", "confirmShipment") => {
                let request: ConfirmShipmentRequest =
                    serde_json::from_value(self.body().unwrap()).unwrap();
                v0.confirm_shipment(&order, &request).await
            }
            ("orders_2026-01-01.json", "searchOrders") => {
                let mut request = client.orders().search_orders();
                for (name, value) in self.expected_query() {
                    request = match name.as_str() {
                        "createdAfter" => request.created_after(value.as_str()),
                        "createdBefore" => request.created_before(value.as_str()),
                        "lastUpdatedAfter" => request.last_updated_after(value.as_str()),
                        "lastUpdatedBefore" => request.last_updated_before(value.as_str()),
                        "marketplaceIds" => {
                            request.marketplace_ids(&value.split(',').collect::<Vec<_>>())
                        }
                        "fulfillmentStatuses" => {
                            request.fulfillment_statuses(&value.split(',').collect::<Vec<_>>())
                        }
                        "fulfilledBy" => {
                            request.fulfilled_by(&value.split(',').collect::<Vec<_>>())
                        }
                        "includedData" => request.included_data(
                            &value.split(',').map(IncludedData::from).collect::<Vec<_>>(),
                        ),
                        "maxResultsPerPage" => request.max_results_per_page(value.parse().unwrap()),
                        "paginationToken" => request.pagination_token(&value),
                        other => panic!("searchOrders parameter {other} has no builder method"),
                    };
                }
                request.send().await.map(drop)
            }
            ("orders_2026-01-01.json", "getOrder") => {
                let included = self.param("includedData").unwrap_or_default();
                let included: Vec<IncludedData> = included
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(IncludedData::from)
                    .collect();
                client.orders().get_order(&order, &included).await.map(drop)
            }
            ("tokens_2021-03-01.json", "createRestrictedDataToken") => {
                let body = self.body().unwrap();
                let resources: Vec<RestrictedResource> =
                    serde_json::from_value(body["restrictedResources"].clone()).unwrap();
                client
                    .tokens()
                    .create_restricted_data_token(&resources, body["targetApplication"].as_str())
                    .await
                    .map(drop)
            }
            (file, op) => panic!("{file} {op}: the client has no method for this operation"),
        }
    }
}

#[tokio::test]
async fn every_sandbox_example_builds_its_request_and_reads_its_response() {
    let examples = examples();
    let mut passed = 0;
    let mut failures = Vec::new();
    for example in &examples {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/auth/o2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"access_token": "Atza|x", "token_type": "bearer", "expires_in": 3600}),
            ))
            .mount(&server)
            .await;
        let restricted = example.operation != "createRestrictedDataToken";
        if restricted {
            Mock::given(method("POST"))
                .and(path("/tokens/2021-03-01/restrictedDataToken"))
                .respond_with(ResponseTemplate::new(200).set_body_json(
                    json!({"restrictedDataToken": "Atz.sprdt|x", "expiresIn": 3600}),
                ))
                .mount(&server)
                .await;
        }
        let template = ResponseTemplate::new(example.status);
        let template = if example.status == 204 {
            template
        } else {
            template.set_body_json(example.response.clone())
        };
        Mock::given(method(example.method.as_str()))
            .and(path(example.expected_path()))
            .respond_with(template)
            .mount(&server)
            .await;

        let base = url::Url::parse(&format!("{}/", server.uri())).unwrap();
        let lwa = LwaClient::with_token_url(
            LwaCredentials::new("id", "secret"),
            base.join("auth/o2/token").unwrap(),
        )
        .unwrap();
        let client = SpApiClient::builder(Endpoint::Custom(base))
            .seller_with_lwa("A2SELLER", lwa, SecretString::from("Atzr|x".to_owned()))
            .retry(spend_http::RetryPolicy::none())
            .build()
            .unwrap();
        let outcome = example.call(&client).await;

        let label = format!(
            "{} {} {} [{}]",
            example.file,
            example.operation,
            example.status,
            example.expected_path()
        );
        let sent = server.received_requests().await.unwrap();
        let request = sent.iter().find(|r| {
            r.url.path() == example.expected_path() && r.method.as_str() == example.method
        });
        let Some(request) = request else {
            failures.push(format!(
                "{label}: no request to the example's path; got {:?}",
                sent.iter().map(|r| r.url.to_string()).collect::<Vec<_>>()
            ));
            continue;
        };
        let query: BTreeMap<String, String> = request.url.query_pairs().into_owned().collect();
        if query != example.expected_query() {
            failures.push(format!(
                "{label}: query {query:?} != example {:?}",
                example.expected_query()
            ));
            continue;
        }
        if let Some(body) = example.body() {
            let sent_body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            if sent_body != body {
                failures.push(format!("{label}: body {sent_body} != example {body}"));
                continue;
            }
        }
        let read = match (example.status, outcome) {
            (200..=299, Ok(())) => Ok(()),
            (
                status,
                Err(Error::Api {
                    status: got,
                    errors,
                    ..
                }),
            ) if status >= 400 => {
                let listed = example.response["errors"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let expected: Vec<String> = listed
                    .iter()
                    .map(|e| e["code"].as_str().unwrap_or_default().to_owned())
                    .collect();
                let got_codes: Vec<String> = errors.iter().map(|e| e.code.clone()).collect();
                if got.as_u16() == status && got_codes == expected {
                    Ok(())
                } else {
                    Err(format!("error {got} {got_codes:?}"))
                }
            }
            (_, other) => Err(format!("{other:?}")),
        };
        match read {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("{label}: {e}")),
        }
    }
    println!("sp-api sandbox examples: {passed}/{}", examples.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        examples.len(),
        42,
        "the three model files hold 42 static examples"
    );
}
