//! Google Gemini `generateContent` with `responseMimeType: application/json`
//! and a `responseSchema` (Gemini's OpenAPI subset of JSON Schema).

use futures_util::future::BoxFuture;
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use spend_http::HttpClient;

use super::http::{self, Config, CountSupport, Settings};
use super::{Completion, CompletionRequest, Limits, Provider, ProviderKind, Usage};
use crate::{Error, Result};

/// A client of the Gemini API (`POST /v1beta/models/{model}:generateContent`).
///
/// ```no_run
/// use llm_enrich::{Config, Gemini};
/// let gemini = Gemini::new("AIza...".to_string().into(), Config::new())?;
/// # Ok::<(), llm_enrich::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Gemini {
    http: HttpClient,
    settings: Settings,
    /// Kept to scrub it from error messages that echo it.
    key: SecretString,
    counting: CountSupport,
}

impl Gemini {
    /// The default model (Google's alias for its current Flash model).
    pub const DEFAULT_MODEL: &'static str = "gemini-flash-latest";
    /// The default base URL.
    pub const DEFAULT_BASE_URL: &'static str = "https://generativelanguage.googleapis.com";

    /// A client with `api_key` (sent as `x-goog-api-key`, never in the URL).
    pub fn new(api_key: SecretString, config: Config) -> Result<Self> {
        let settings = Settings::resolve(config, Self::DEFAULT_BASE_URL, Self::DEFAULT_MODEL, 8192);
        let http = http::client(&settings, Some((&api_key, http::header("x-goog-api-key"))))
            .map_err(|source| Error::Http {
                provider: ProviderKind::Gemini,
                source,
            })?;
        Ok(Gemini {
            http,
            settings,
            key: api_key,
            counting: CountSupport::default(),
        })
    }

    /// The `generateContent` body of `request`.
    fn body(&self, request: &CompletionRequest) -> Value {
        json!({
            "systemInstruction": {"parts": [{"text": request.system}]},
            "contents": [{"role": "user", "parts": [{"text": request.user}]}],
            "generationConfig": {
                "responseMimeType": "application/json",
                "responseSchema": gemini_schema(&request.schema),
                "maxOutputTokens": request.max_output_tokens.min(self.settings.max_output_tokens),
            },
        })
    }

    /// A client with the key in `GEMINI_API_KEY`; `None` when it is not set.
    pub fn from_env(config: Config) -> Option<Result<Self>> {
        let key = std::env::var("GEMINI_API_KEY").ok()?;
        Some(Gemini::new(key.into(), config))
    }
}

/// Rewrites a JSON Schema into Gemini's subset: `["string", "null"]` becomes
/// `"type": "string", "nullable": true`, and keywords Gemini rejects
/// (`additionalProperties`, `$schema`) are dropped.
///
/// ```
/// use serde_json::json;
/// let schema = json!({"type": "object", "additionalProperties": false,
///     "properties": {"note": {"type": ["string", "null"]}}, "required": ["note"]});
/// let gemini = llm_enrich::provider::gemini_schema(&schema);
/// assert_eq!(gemini, json!({"type": "object", "properties": {"note": {"type": "string", "nullable": true}}, "required": ["note"]}));
/// ```
pub fn gemini_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "additionalProperties" | "$schema" => {}
                    "type" => match value.as_array() {
                        Some(types) => {
                            let concrete: Vec<&Value> =
                                types.iter().filter(|t| *t != "null").collect();
                            if let Some(first) = concrete.first() {
                                out.insert("type".into(), (*first).clone());
                            }
                            if concrete.len() < types.len() {
                                out.insert("nullable".into(), Value::Bool(true));
                            }
                        }
                        None => {
                            out.insert("type".into(), value.clone());
                        }
                    },
                    _ => {
                        out.insert(key.clone(), gemini_schema(value));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(gemini_schema).collect()),
        other => other.clone(),
    }
}

impl Provider for Gemini {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Gemini
    }

    fn model(&self) -> &str {
        &self.settings.model
    }

    fn limits(&self) -> Limits {
        Limits {
            max_output_tokens: self.settings.max_output_tokens,
            max_input_tokens: 500_000,
        }
    }

    fn complete<'a>(&'a self, request: &'a CompletionRequest) -> BoxFuture<'a, Result<Completion>> {
        Box::pin(async move {
            let kind = ProviderKind::Gemini;
            let url = self.settings.url(&format!(
                "v1beta/models/{}:generateContent",
                self.settings.model
            ));
            let answer = http::post(
                kind,
                &self.http,
                Some(&self.key),
                &url,
                "generateContent",
                &[],
                &self.body(request),
            )
            .await?;
            let candidate = &answer["candidates"][0];
            if candidate.is_null() {
                let reason = answer
                    .pointer("/promptFeedback/blockReason")
                    .and_then(Value::as_str);
                return Err(Error::Refused {
                    provider: kind,
                    reason: reason.unwrap_or("no candidate returned").to_owned(),
                });
            }
            // Thought summaries (parts marked `thought`) are not the answer.
            let text: String = candidate["content"]["parts"]
                .as_array()
                .map(|parts| {
                    parts
                        .iter()
                        .filter(|p| p["thought"] != true)
                        .filter_map(|p| p["text"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            let truncated = candidate["finishReason"] == "MAX_TOKENS";
            // A thinking model can spend the whole output allowance thinking
            // and answer nothing: that is an answer cut short (a smaller
            // batch may fit), and its thinking was billed all the same.
            if text.is_empty() && !truncated {
                return Err(http::invalid(
                    kind,
                    format!("empty answer (finishReason {})", candidate["finishReason"]),
                ));
            }
            Ok(Completion {
                content: text,
                usage: Usage {
                    input_tokens: http::count(&answer, "/usageMetadata/promptTokenCount"),
                    // Thinking is billed as output but reported apart.
                    output_tokens: http::count(&answer, "/usageMetadata/candidatesTokenCount")
                        + http::count(&answer, "/usageMetadata/thoughtsTokenCount"),
                },
                truncated,
                model: answer["modelVersion"]
                    .as_str()
                    .unwrap_or(&self.settings.model)
                    .to_owned(),
            })
        })
    }

    /// `POST /v1beta/models/{model}:countTokens` with the whole
    /// `generateContent` request (system instruction and schema included),
    /// the key in the `x-goog-api-key` header like every other call.
    fn count_tokens<'a>(
        &'a self,
        request: &'a CompletionRequest,
    ) -> BoxFuture<'a, Result<Option<u64>>> {
        Box::pin(async move {
            if self.counting.missing() {
                return Ok(None);
            }
            let mut generate = self.body(request);
            generate["model"] = Value::String(format!("models/{}", self.settings.model));
            let url = self.settings.url(&format!(
                "v1beta/models/{}:countTokens",
                self.settings.model
            ));
            let answer = http::post(
                ProviderKind::Gemini,
                &self.http,
                Some(&self.key),
                &url,
                "countTokens",
                &[],
                &json!({ "generateContentRequest": generate }),
            )
            .await;
            self.counting.read(answer, "/totalTokens")
        })
    }
}
