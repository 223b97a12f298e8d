//! Dates in answers are days the calendar has: `2024-02-31` and `2024-13-01`
//! are refused, by name, like any other field that breaks the schema's rules.

use llm_enrich::receipt::check_answer;
use llm_enrich::testkit::Simulator;
use llm_enrich::{AnswerError, Error, ProviderKind, ReceiptExtractor};

fn answer(date: &str) -> String {
    format!(
        r#"{{"kind": "receipt", "merchant": "Shop", "order_ids": ["A-1001"], "date": "{date}",
            "currency": "GBP", "total": "12.50", "subtotal": null, "tax": null, "shipping": null,
            "discount": null, "line_items": [], "payment_method": null, "original_order_id": null,
            "confidence": 0.9}}"#
    )
}

#[test]
fn an_impossible_date_is_refused_naming_the_field() {
    for (date, why) in [
        ("2024-02-31", "February 2024 has 29 days"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("2024-04-31", "April 2024 has 30 days"),
        ("2024-13-01", "no month 13"),
        ("2024-00-10", "no month 0"),
        ("2024-01-00", "January 2024 has 31 days"),
        ("24-01-10", "YYYY-MM-DD"),
    ] {
        match check_answer(&answer(date)) {
            Err(AnswerError::Field {
                field,
                value,
                reason,
            }) => {
                assert_eq!(field, "date", "{date}");
                assert_eq!(value, date);
                assert!(reason.contains(why), "{date}: {reason}");
            }
            other => panic!("{date}: {other:?}"),
        }
    }
    for date in ["2024-02-29", "2023-12-31", "2024-01-01"] {
        let receipt = check_answer(&answer(date)).unwrap();
        assert_eq!(receipt.date.as_deref(), Some(date));
        assert!(
            receipt.to_receipt().date.is_some(),
            "{date} reaches the pipeline"
        );
    }
}

#[test]
fn other_fields_are_named_too() {
    let bad_total = answer("2024-01-01").replace(r#""total": "12.50""#, r#""total": "twelve""#);
    assert!(matches!(
        check_answer(&bad_total),
        Err(AnswerError::Field { ref field, .. }) if field == "total"
    ));
    assert!(matches!(
        check_answer("not json"),
        Err(AnswerError::Shape(_))
    ));
}

#[tokio::test]
async fn a_model_that_keeps_an_impossible_date_gets_a_typed_error() {
    for (date, why) in [
        ("2024-02-31", "is not a calendar date"),
        ("2024-13-01", "has no month 13"),
    ] {
        let sim = Simulator::start(ProviderKind::Anthropic).await;
        // The simulated model copies the date line as written, every time.
        let email =
            format!("From: orders@shop.example\nDate: {date}\nOrder #A-1001\nTotal: £12.50\n");
        let err = ReceiptExtractor::new(sim.provider())
            .extract(&email)
            .await
            .unwrap_err();
        match &err {
            Error::InvalidField {
                provider,
                field,
                value,
                reason,
            } => {
                assert_eq!(*provider, ProviderKind::Anthropic);
                assert_eq!(field, "date");
                assert_eq!(value, date);
                assert!(reason.contains(why), "{reason}");
            }
            other => panic!("{date}: {other:?}"),
        }
        assert!(err.to_string().contains(date), "{err}");
        assert_eq!(sim.requests(), 2, "the answer and one repair");
        let repair = sim.last_request().unwrap().to_string();
        assert!(
            repair.contains(why),
            "the repair tells the model what is wrong: {repair}"
        );
    }

    // A real date goes through.
    let sim = Simulator::start(ProviderKind::Anthropic).await;
    let found = ReceiptExtractor::new(sim.provider())
        .extract("From: orders@shop.example\nDate: 2024-02-29\nOrder #A-1001\nTotal: £12.50\n")
        .await
        .unwrap();
    assert_eq!(found.receipt.date.as_deref(), Some("2024-02-29"));
    assert_eq!(sim.requests(), 1);
}
