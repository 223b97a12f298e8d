//! No secret leaves: with every provider, whatever it answers (success, 4xx
//! and 5xx with a body, a body that is not JSON, no answer in time, a
//! refused key, a token count near the budget's limit), the API key appears
//! neither in the trace at its most verbose level nor in any error's
//! `Display` or `Debug`, nor in any URL a request was sent to (Gemini takes
//! its key in a header, never as `?key=`).

use std::error::Error as _;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use llm_enrich::testkit::{Fault, Simulator};
use llm_enrich::{
    Anthropic, Budget, Config, DeepSeek, Direction, Enricher, Error, Gemini, Ollama, OpenAi, Price,
    PriceTable, Provider, ProviderKind, ReceiptExtractor, SecretString, TransactionInput,
};
use rust_decimal::Decimal;
use spend_http::RetryPolicy;

/// The key every client is given: distinctive, so any leak is found.
const SECRET: &str = "sk-live-NOLEAK-7c1d9e2f4a6b8c0d";

const ALL: [ProviderKind; 5] = [
    ProviderKind::Anthropic,
    ProviderKind::OpenAi,
    ProviderKind::Gemini,
    ProviderKind::DeepSeek,
    ProviderKind::Ollama,
];

const EMAIL: &str = "From: orders@shop.example\nOrder #A-1001\nTotal: £12.50\n";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A subscriber writing every event and span at `filter` into a buffer.
fn capture(filter: &str) -> (Buffer, tracing::subscriber::DefaultGuard) {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .finish();
    (buffer, tracing::subscriber::set_default(subscriber))
}

/// Quick retries and a short timeout, so the failing flows end soon.
fn config(sim: &Simulator) -> Config {
    sim.config().timeout(Duration::from_secs(1)).retry(
        RetryPolicy::default()
            .delays(Duration::from_millis(5), Duration::from_millis(20))
            .max_attempts(2),
    )
}

fn items() -> Vec<TransactionInput> {
    vec![
        TransactionInput::new(
            "t1",
            "TESCO STORES 2041",
            Decimal::new(3450, 2),
            "GBP",
            Direction::Debit,
        ),
        TransactionInput::new(
            "t2",
            "ZZ UNKNOWN SHOP",
            Decimal::new(500, 2),
            "GBP",
            Direction::Debit,
        ),
    ]
}

/// Writes an outcome's `Display` and `Debug` (and those of every error in
/// its chain) to `out`; true when it was an error.
fn record<T: std::fmt::Debug>(out: &mut String, flow: &str, outcome: &Result<T, Error>) -> bool {
    match outcome {
        Ok(value) => {
            let _ = writeln!(out, "{flow}: ok {value:?}");
            false
        }
        Err(error) => {
            let _ = writeln!(out, "{flow}: {error}\n{error:?}");
            let mut source = error.source();
            while let Some(cause) = source {
                let _ = writeln!(out, "  caused by {cause}\n  {cause:?}");
                source = cause.source();
            }
            true
        }
    }
}

/// The `Debug` of the concrete client holding the key.
fn client_debug(kind: ProviderKind, config: Config) -> String {
    let key = || SecretString::from(SECRET.to_owned());
    match kind {
        ProviderKind::Anthropic => format!("{:?}", Anthropic::new(key(), config).unwrap()),
        ProviderKind::OpenAi => format!("{:?}", OpenAi::new(key(), config).unwrap()),
        ProviderKind::Gemini => format!("{:?}", Gemini::new(key(), config).unwrap()),
        ProviderKind::DeepSeek => format!("{:?}", DeepSeek::new(key(), config).unwrap()),
        ProviderKind::Ollama => format!("{:?}", Ollama::new(config).unwrap()),
    }
}

/// The failing flows: each must end in an error, recorded in `out`.
async fn failures(
    kind: ProviderKind,
    sim: &Simulator,
    provider: &Arc<dyn Provider>,
    out: &mut String,
) {
    let enricher = Enricher::new(provider.clone());
    let extractor = ReceiptExtractor::new(provider.clone());
    let flows: [(&str, Fault, u32); 5] = [
        ("4xx with a body", Fault::BadRequest, 1),
        // Retried until the policy's two attempts are spent.
        ("5xx with a body", Fault::ServerError, 2),
        ("a body that is not JSON", Fault::Undecodable, 1),
        ("no answer in time", Fault::Stall(Duration::from_secs(2)), 2),
        ("a refused key", Fault::Unauthorized, 1),
    ];
    for (flow, fault, times) in flows {
        sim.inject(fault.clone(), times);
        let outcome = enricher.enrich(&items()).await;
        assert!(record(out, flow, &outcome), "{kind} {flow}: {outcome:?}");
        sim.inject(fault, times);
        let outcome = extractor.extract(EMAIL).await;
        assert!(record(out, flow, &outcome), "{kind} {flow}: {outcome:?}");
    }
    sim.inject(Fault::MalformedJson, 2);
    let outcome = extractor.extract(EMAIL).await;
    assert!(
        record(out, "invalid twice", &outcome),
        "{kind}: {outcome:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_in_traces_errors_or_urls() {
    let (trace, _guard) = capture("trace");
    let mut out = String::new();
    for kind in ALL {
        let sim = Simulator::start(kind).await;
        sim.accept_key(SECRET);
        let provider = sim.provider_with(SECRET, config(&sim));
        let _ = writeln!(out, "{kind} client: {}", client_debug(kind, config(&sim)));

        let outcome = Enricher::new(provider.clone()).enrich(&items()).await;
        assert!(
            !record(&mut out, "success", &outcome),
            "{kind}: {outcome:?}"
        );
        let outcome = ReceiptExtractor::new(provider.clone()).extract(EMAIL).await;
        assert!(
            !record(&mut out, "success", &outcome),
            "{kind}: {outcome:?}"
        );

        failures(kind, &sim, &provider, &mut out).await;

        // Near the budget's limit, Anthropic and Gemini are asked for a count.
        let mut prices = PriceTable::empty();
        prices.set(provider.model(), Price::per_million("1.00", "5.00"));
        let near = Arc::new(Budget::new(Decimal::new(105, 4)));
        let outcome = ReceiptExtractor::new(provider.clone())
            .prices(prices)
            .shared_budget(near)
            .extract(EMAIL)
            .await;
        record(&mut out, "near the limit", &outcome);
        if matches!(kind, ProviderKind::Anthropic | ProviderKind::Gemini) {
            assert!(
                sim.count_requests() > 0,
                "{kind}: the count endpoint was used"
            );
        }

        for uri in sim.uris() {
            assert!(
                !uri.contains(SECRET) && !uri.contains("key="),
                "{kind}: the key went into a URL: {uri}"
            );
        }
    }

    let trace = trace.text();
    for (what, text) in [("trace", &trace), ("errors", &out)] {
        assert!(
            !text.contains(SECRET),
            "the key leaked into the {what}:\n{}",
            context(text)
        );
        assert!(
            !text.contains(&format!("key={SECRET}")),
            "the key leaked as a query parameter into the {what}"
        );
    }
    // The trace did say something: every operation.
    for operation in [
        "messages",
        "chat.completions",
        "generateContent",
        "chat",
        "messages.count_tokens",
        "countTokens",
    ] {
        assert!(trace.contains(operation), "{operation} not traced");
    }
    assert!(out.contains("timed out"), "{out}");
}

#[tokio::test(flavor = "current_thread")]
async fn no_error_passes_on_a_key_the_provider_echoes() {
    let (trace, _guard) = capture("trace");
    let mut out = String::new();
    for kind in ALL {
        if kind == ProviderKind::Ollama {
            continue; // no key to echo
        }
        let sim = Simulator::start(kind).await;
        sim.accept_key(SECRET);
        sim.echo_key_in_errors(true);
        let provider = sim.provider_with(SECRET, config(&sim));
        failures(kind, &sim, &provider, &mut out).await;
    }
    assert!(
        !out.contains(SECRET),
        "an echoed key was passed on:\n{}",
        context(&out)
    );
    assert!(
        out.contains("carried key <redacted>"),
        "the simulators echoed the key and it was scrubbed:\n{out}"
    );
    let trace = trace.text();
    assert!(!trace.contains(SECRET), "{}", context(&trace));
}

/// The lines of `text` holding the secret, to show where it leaked.
fn context(text: &str) -> String {
    text.lines()
        .filter(|l| l.contains(SECRET))
        .collect::<Vec<_>>()
        .join("\n")
}
