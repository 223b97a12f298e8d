//! The Gmail client against the simulator: OAuth, every method, batches,
//! rate-limit answers and pagination.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use std::time::Duration;

use gmail_receipts::google::{Format, GmailError, GoogleOAuth, OAuthError, UserTokens};
use gmail_receipts::testkit::{Fault, GmailSimulator, SimConfig};

#[tokio::test]
async fn consent_code_exchange_refresh_and_revoke() {
    let sim = GmailSimulator::start(SimConfig::default().messages(5)).await;
    let oauth = sim.oauth().unwrap();
    let request = oauth.authorization_url();

    // The browser's part: the consent page redirects back with code and state.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = browser.get(request.url.clone()).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let location = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let back: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(back["state"], request.state);

    assert!(matches!(
        request.verify_callback("another-state"),
        Err(OAuthError::StateMismatch)
    ));
    let verifier = request.verify_callback(&back["state"]).unwrap();
    let tokens = oauth.exchange_code(&back["code"], &verifier).await.unwrap();
    let refresh = tokens
        .refresh_token
        .expect("offline access gives a refresh token");
    assert_eq!(
        tokens.expires_in,
        Some(std::time::Duration::from_secs(3600))
    );

    // A code is single use.
    let again = oauth.exchange_code(&back["code"], &verifier).await;
    assert!(
        matches!(again, Err(OAuthError::InvalidGrant { .. })),
        "{again:?}"
    );

    let refreshed = oauth.refresh(&refresh).await.unwrap();
    assert!(refreshed.refresh_token.is_none());

    oauth.revoke(&refresh).await.unwrap();
    let err = oauth.refresh(&refresh).await.unwrap_err();
    let OAuthError::InvalidGrant { description } = &err else {
        panic!("expected invalid_grant, got {err:?}");
    };
    assert_eq!(description, "Token has been expired or revoked.");
    assert!(err.to_string().contains("7 days"), "{err}");
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused() {
    let sim = GmailSimulator::start(SimConfig::default().messages(1)).await;
    let oauth = sim.oauth().unwrap();
    let first = oauth.authorization_url();
    let second = oauth.authorization_url();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = browser.get(first.url.clone()).send().await.unwrap();
    let location = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    // The second request's verifier does not belong to the first's challenge.
    let wrong = second.verify_callback(&second.state).unwrap();
    let err = oauth.exchange_code(&code, &wrong).await.unwrap_err();
    assert!(matches!(err, OAuthError::InvalidGrant { .. }), "{err:?}");
}

#[tokio::test]
async fn a_revoked_grant_surfaces_as_invalid_grant_from_any_call() {
    let sim = GmailSimulator::start(SimConfig::default().messages(3)).await;
    sim.revoke_refresh_tokens();
    let gmail = sim.client().unwrap();
    let err = gmail.profile().await.unwrap_err();
    assert!(
        matches!(err, GmailError::Auth(OAuthError::InvalidGrant { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("authorise again"), "{err}");
}

#[tokio::test]
async fn profile_list_get_and_attachments() {
    let sim = GmailSimulator::start(SimConfig::default().messages(60)).await;
    let gmail = sim.client().unwrap();

    let profile = gmail.profile().await.unwrap();
    assert_eq!(profile.email_address, "alex@example.org");
    assert_eq!(profile.messages_total, 60);

    // Seven to a page: every message comes back, once, over nine pages.
    let listed: Vec<_> = gmail
        .list_messages()
        .max_results(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 60);
    let ids: HashSet<_> = listed.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids.len(), 60);
    assert_eq!(sim.queries().len(), 9);

    let one = gmail.list_messages().max_results(5).send().await.unwrap();
    assert_eq!(one.messages.len(), 5);
    assert!(one.next_page_token.is_some());
    assert_eq!(one.result_size_estimate, Some(60));

    // The PDF invoice (every 25th message) through raw, full and attachments.get.
    let invoice = sim
        .messages()
        .into_iter()
        .find(|m| !m.attachments.is_empty())
        .expect("the mailbox has a PDF invoice");
    let raw = gmail.get_raw(&invoice.id).await.unwrap();
    assert_eq!(raw.raw, invoice.raw);
    assert_eq!(raw.internal_date, Some(invoice.internal_date));
    assert_eq!(raw.history_id, Some(invoice.history_id));
    assert!(raw.labels.contains(&"INBOX".to_string()));

    let full = gmail.get_message(&invoice.id, Format::Full).await.unwrap();
    let payload = full.payload.unwrap();
    let pdf_part = payload
        .walk()
        .into_iter()
        .find(|p| p.mime_type == "application/pdf")
        .unwrap();
    assert!(pdf_part.filename.ends_with(".pdf"));
    let attachment_id = pdf_part.body.attachment_id.clone().unwrap();
    let bytes = gmail
        .get_attachment(&invoice.id, &attachment_id)
        .await
        .unwrap();
    assert_eq!(bytes, invoice.attachments[0].2);
    assert!(bytes.starts_with(b"%PDF-"));

    let missing = gmail.get_raw("0000000000000000").await.unwrap_err();
    assert!(
        matches!(&missing, GmailError::Api { status: 404, reason: Some(r), .. } if r == "notFound"),
        "{missing:?}"
    );
    assert!(
        missing
            .to_string()
            .contains("Requested entity was not found")
    );
}

#[tokio::test]
async fn batches_fetch_many_messages_in_order_with_per_message_errors() {
    let sim = GmailSimulator::start(SimConfig::default().messages(120)).await;
    let gmail = sim.client().unwrap();
    let mailbox = sim.messages();
    let mut ids: Vec<String> = mailbox.iter().take(110).map(|m| m.id.clone()).collect();
    ids.insert(40, "ffffffffffffffff".into());

    let results = gmail.batch_get_raw(&ids, 50).await.unwrap();
    assert_eq!(results.len(), ids.len());
    for (id, result) in ids.iter().zip(&results) {
        match result {
            Ok(message) => {
                assert_eq!(&message.id, id);
                let original = mailbox.iter().find(|m| &m.id == id).unwrap();
                assert_eq!(message.raw, original.raw);
            }
            Err(GmailError::Api { status, .. }) => {
                assert_eq!(id, "ffffffffffffffff");
                assert_eq!(*status, 404);
            }
            Err(other) => panic!("{id}: {other:?}"),
        }
    }
    let stats = sim.stats();
    assert_eq!(stats.batches, 3, "111 ids in batches of 50");
    assert_eq!(stats.calls, 111, "every inner call counts");
    assert_eq!(stats.units, 111 * 5);
}

#[tokio::test]
async fn server_errors_inside_a_batch_are_sent_again_not_skipped() {
    let sim = GmailSimulator::start(SimConfig::default().messages(20)).await;
    let gmail = sim.client().unwrap();
    let ids: Vec<String> = sim
        .messages()
        .iter()
        .take(10)
        .map(|m| m.id.clone())
        .collect();
    // The first three inner calls of the batch answer 500 backendError.
    sim.inject(Fault::BackendError, 3);
    let results = gmail.batch_get_raw(&ids, 10).await.unwrap();
    for (id, result) in ids.iter().zip(&results) {
        assert_eq!(
            &result.as_ref().unwrap_or_else(|e| panic!("{id}: {e}")).id,
            id
        );
    }
    assert_eq!(
        sim.stats().batches,
        2,
        "one batch, then one for the three that failed"
    );
}

#[tokio::test]
async fn rate_limit_answers_and_server_errors_are_retried() {
    let sim = GmailSimulator::start(SimConfig::default().messages(10)).await;
    let gmail = sim.client().unwrap();
    gmail.profile().await.unwrap();

    sim.inject(Fault::TooManyRequests, 1);
    sim.inject(Fault::UserRateLimit403, 1);
    sim.inject(Fault::BackendError, 1);
    let profile = gmail.profile().await.unwrap();
    assert_eq!(profile.messages_total, 10);
    let stats = sim.stats();
    assert_eq!(stats.rate_limited, 2);
    assert_eq!(stats.failed, 1);

    // Inside a batch, a rate-limited message is fetched again in a later batch.
    let ids: Vec<String> = sim.messages().iter().map(|m| m.id.clone()).collect();
    sim.inject(Fault::TooManyRequests, 2);
    let results = gmail.batch_get_raw(&ids, 10).await.unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sim.stats().batches, 2);
}

#[tokio::test]
async fn a_forbidden_answer_that_is_not_a_rate_limit_is_not_retried() {
    let sim = GmailSimulator::start(SimConfig::default().messages(1)).await;
    let gmail = sim.client().unwrap();
    gmail.profile().await.unwrap();
    let calls = sim.stats().calls;
    sim.inject(Fault::InsufficientPermissions, 1);
    let err = gmail.profile().await.unwrap_err();
    assert!(
        matches!(&err, GmailError::Api { status: 403, reason: Some(r), .. } if r == "insufficientPermissions"),
        "{err:?}"
    );
    assert!(!err.is_rate_limited());
    assert!(
        err.to_string()
            .contains("insufficient authentication scopes"),
        "{err}"
    );
    assert_eq!(sim.stats().calls, calls + 1, "answered once, not retried");
}

#[tokio::test]
async fn an_expired_history_id_is_a_typed_error_answered_once() {
    let sim = GmailSimulator::start(SimConfig::default().messages(1)).await;
    let gmail = sim.client().unwrap();
    let start = gmail.profile().await.unwrap().history_id;
    gmail.list_history(start).send().await.unwrap();
    sim.expire_history();
    let calls = sim.stats().calls;
    let err = gmail.list_history(start - 1).send().await.unwrap_err();
    assert!(
        matches!(err, GmailError::HistoryExpired { start_history_id } if start_history_id == start - 1),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(404));
    assert_eq!(sim.stats().calls, calls + 1, "a 404 is answered once");
}

#[tokio::test]
async fn history_is_paged_and_lists_added_messages() {
    let sim = GmailSimulator::start(SimConfig::default().messages(5)).await;
    let gmail = sim.client().unwrap();
    let start = gmail.profile().await.unwrap().history_id;
    let delivered = sim.deliver(7);

    let pages: Vec<_> = gmail
        .list_history(start)
        .max_results(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    let added: Vec<String> = pages
        .iter()
        .flat_map(|p| &p.history)
        .flat_map(|h| &h.messages_added)
        .map(|a| a.message.id.clone())
        .collect();
    assert_eq!(added, delivered);
    let latest = pages.last().unwrap().history_id;
    assert_eq!(latest, gmail.profile().await.unwrap().history_id);
}

#[tokio::test]
async fn the_client_paces_itself_under_the_users_quota() {
    // A small quota so that one burst is not enough: 600 units a minute.
    let sim = GmailSimulator::start(SimConfig::default().messages(40).units_per_minute(600)).await;
    let gmail = sim.client().unwrap();
    for message in sim.messages() {
        gmail.get_raw(&message.id).await.unwrap();
    }
    let stats = sim.stats();
    assert_eq!(stats.units, 40 * 5);
    assert_eq!(
        stats.rate_limited, 0,
        "the client waited instead of being refused"
    );
    assert!(stats.peak_units_per_minute <= 600);
}

/// A browser: follows the consent URL's redirects and returns the page it lands on.
fn browse(url: &url::Url) -> tokio::task::JoinHandle<String> {
    let url = url.clone();
    tokio::spawn(async move { reqwest::get(url).await.unwrap().text().await.unwrap() })
}

#[tokio::test]
async fn the_loopback_consent_runs_end_to_end() {
    let sim = GmailSimulator::start(SimConfig::default().messages(3)).await;
    let oauth = GoogleOAuth::builder("desktop.apps.googleusercontent.com", "http://127.0.0.1:0/")
        .client_secret("secret")
        .endpoints(sim.oauth_endpoints())
        .build()
        .unwrap();
    let mut browser = None;
    let tokens = oauth
        .authorize_on_loopback(Duration::from_secs(20), |url| {
            let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
            assert!(q["redirect_uri"].starts_with("http://127.0.0.1:"));
            assert_ne!(
                q["redirect_uri"], "http://127.0.0.1:0/",
                "the bound port is sent"
            );
            browser = Some(browse(url));
        })
        .await
        .unwrap();
    let refresh = tokens
        .refresh_token
        .expect("offline access gives a refresh token");
    let page = browser.unwrap().await.unwrap();
    assert!(page.contains("spend is authorised"), "{page}");

    // The new grant works for the API.
    let gmail = gmail_receipts::google::Gmail::builder(std::sync::Arc::new(
        spend_http::CachedTokenSource::new(UserTokens::new(oauth, refresh)),
    ))
    .base_url(sim.url())
    .build()
    .unwrap();
    assert_eq!(gmail.profile().await.unwrap().messages_total, 3);
}

#[tokio::test]
async fn a_declined_consent_is_a_typed_error() {
    let sim = GmailSimulator::start(SimConfig::default().messages(1)).await;
    sim.decline_consent();
    let oauth = GoogleOAuth::builder("desktop.apps.googleusercontent.com", "http://127.0.0.1:0/")
        .endpoints(sim.oauth_endpoints())
        .build()
        .unwrap();
    let mut browser = None;
    let err = oauth
        .authorize_on_loopback(Duration::from_secs(20), |url| browser = Some(browse(url)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::Declined { error } if error == "access_denied"),
        "{err:?}"
    );
    let page = browser.unwrap().await.unwrap();
    assert!(page.contains("not given"), "{page}");

    let remote = GoogleOAuth::builder(
        "desktop.apps.googleusercontent.com",
        "https://example.org/callback",
    )
    .build()
    .unwrap();
    let err = remote
        .authorize_on_loopback(Duration::from_secs(1), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::Config(_)), "{err:?}");
}

#[test]
fn a_bad_base_url_is_a_configuration_error() {
    let oauth = GoogleOAuth::builder("id.apps.googleusercontent.com", "http://127.0.0.1:0/")
        .build()
        .unwrap();
    let tokens =
        spend_http::CachedTokenSource::new(UserTokens::new(oauth, "1//r".to_string().into()));
    let err = gmail_receipts::google::Gmail::builder(std::sync::Arc::new(tokens))
        .base_url("not a url")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, GmailError::Config(m) if m.contains("not a url")),
        "{err:?}"
    );
}
