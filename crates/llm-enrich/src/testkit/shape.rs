//! Each provider's documented request shape, checked, and its answer and
//! error bodies, produced.

use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::ProviderKind;

/// A request that breaks the provider's documented shape: answered with 400 and this text.
pub struct ShapeError(pub String);

fn require(ok: bool, what: &str) -> Result<(), ShapeError> {
    if ok {
        Ok(())
    } else {
        Err(ShapeError(what.to_owned()))
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The key the request carried, where this provider expects it.
pub fn key(kind: ProviderKind, headers: &HeaderMap) -> Option<String> {
    match kind {
        ProviderKind::Anthropic => header(headers, "x-api-key").map(str::to_owned),
        ProviderKind::Gemini => header(headers, "x-goog-api-key").map(str::to_owned),
        ProviderKind::OpenAi | ProviderKind::DeepSeek | ProviderKind::Ollama => {
            header(headers, "authorization")
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::to_owned)
        }
    }
}

fn has_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => map.contains_key(key) || map.values().any(|v| has_key(v, key)),
        Value::Array(items) => items.iter().any(|v| has_key(v, key)),
        _ => false,
    }
}

/// The task's (system, user, schema) when the body has the provider's shape.
pub fn check(
    kind: ProviderKind,
    headers: &HeaderMap,
    body: &Value,
) -> Result<(String, String, Value), ShapeError> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    require(
        header(headers, "content-type").is_some_and(|c| c.starts_with("application/json")),
        "content-type must be application/json",
    )?;
    match kind {
        ProviderKind::Anthropic => {
            require(
                header(headers, "anthropic-version") == Some("2023-06-01"),
                "anthropic-version header missing or wrong",
            )?;
            require(body["model"].is_string(), "model is required")?;
            require(
                body["max_tokens"].as_u64().is_some_and(|n| n > 0),
                "max_tokens must be a positive integer",
            )?;
            require(
                body["messages"][0]["role"] == "user",
                "messages[0] must be the user turn",
            )?;
            require(
                body["tools"][0]["input_schema"]["type"] == "object",
                "tools[0].input_schema must be an object schema",
            )?;
            require(
                body["tool_choice"]["type"] == "tool"
                    && body["tool_choice"]["name"] == body["tools"][0]["name"],
                "tool_choice must force the tool",
            )?;
            Ok((
                text(&body["system"]),
                text(&body["messages"][0]["content"]),
                body["tools"][0]["input_schema"].clone(),
            ))
        }
        ProviderKind::OpenAi | ProviderKind::DeepSeek => {
            require(body["model"].is_string(), "model is required")?;
            require(
                body["messages"][0]["role"] == "system" && body["messages"][1]["role"] == "user",
                "messages must be system then user",
            )?;
            let system = text(&body["messages"][0]["content"]);
            let user = text(&body["messages"][1]["content"]);
            if kind == ProviderKind::OpenAi {
                let format = &body["response_format"];
                require(
                    format["type"] == "json_schema",
                    "response_format.type must be json_schema",
                )?;
                require(
                    format["json_schema"]["strict"] == true,
                    "json_schema.strict must be true",
                )?;
                require(
                    format["json_schema"]["name"].is_string(),
                    "json_schema.name is required",
                )?;
                require(
                    body["max_completion_tokens"].is_u64(),
                    "max_completion_tokens is required",
                )?;
                Ok((system, user, format["json_schema"]["schema"].clone()))
            } else {
                require(
                    body["response_format"]["type"] == "json_object",
                    "DeepSeek takes response_format json_object",
                )?;
                require(
                    system.to_lowercase().contains("json"),
                    "JSON mode needs the word json in the prompt",
                )?;
                let schema_text = system
                    .split_once("JSON schema:\n")
                    .map(|(_, s)| s)
                    .unwrap_or_default();
                Ok((
                    system.clone(),
                    user,
                    serde_json::from_str(schema_text).unwrap_or(Value::Null),
                ))
            }
        }
        ProviderKind::Gemini => {
            require(
                body["contents"][0]["parts"][0]["text"].is_string(),
                "contents[0].parts[0].text is required",
            )?;
            let config = &body["generationConfig"];
            require(
                config["responseMimeType"] == "application/json",
                "generationConfig.responseMimeType must be application/json",
            )?;
            require(
                config["responseSchema"].is_object(),
                "generationConfig.responseSchema is required",
            )?;
            require(
                !has_key(&config["responseSchema"], "additionalProperties"),
                "responseSchema must not use additionalProperties",
            )?;
            let system = text(&body["systemInstruction"]["parts"][0]["text"]);
            Ok((
                system,
                text(&body["contents"][0]["parts"][0]["text"]),
                config["responseSchema"].clone(),
            ))
        }
        ProviderKind::Ollama => {
            require(body["model"].is_string(), "model is required")?;
            require(
                body["stream"] == false,
                "stream must be false for one JSON answer",
            )?;
            require(body["format"].is_object(), "format must be the JSON schema")?;
            Ok((
                text(&body["messages"][0]["content"]),
                text(&body["messages"][1]["content"]),
                body["format"].clone(),
            ))
        }
    }
}

/// The task's (system, user, schema) of a token count request at `path`,
/// when the body has the provider's documented shape: Anthropic's
/// `count_tokens` takes a message's body without `max_tokens`, Gemini's
/// `countTokens` a whole `generateContentRequest` naming its model.
pub fn check_count(
    kind: ProviderKind,
    headers: &HeaderMap,
    path: &str,
    body: &Value,
) -> Result<(String, String, Value), ShapeError> {
    require(body.is_object(), "the body must be a JSON object")?;
    match kind {
        ProviderKind::Anthropic => {
            require(
                body.get("max_tokens").is_none(),
                "count_tokens takes no max_tokens",
            )?;
            let mut message = body.clone();
            message["max_tokens"] = json!(1);
            check(kind, headers, &message)
        }
        ProviderKind::Gemini => {
            let generate = &body["generateContentRequest"];
            require(
                generate.is_object(),
                "countTokens needs generateContentRequest (or contents)",
            )?;
            let model = path
                .strip_prefix("/v1beta/models/")
                .and_then(|rest| rest.strip_suffix(":countTokens"))
                .unwrap_or_default();
            require(
                generate["model"].as_str() == Some(format!("models/{model}").as_str()),
                "generateContentRequest.model must be models/{model} of the path",
            )?;
            check(kind, headers, generate)
        }
        _ => Err(ShapeError(
            "this provider has no token count endpoint".to_owned(),
        )),
    }
}

/// The provider's answer to a token count request.
pub fn counted(kind: ProviderKind, tokens: u64) -> Value {
    match kind {
        ProviderKind::Gemini => json!({
            "totalTokens": tokens,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens}],
        }),
        _ => json!({ "input_tokens": tokens }),
    }
}

/// The most output tokens the request allows, where each provider takes it.
pub fn max_output_tokens(kind: ProviderKind, body: &Value) -> u64 {
    let pointer = match kind {
        ProviderKind::Anthropic => "/max_tokens",
        ProviderKind::OpenAi => "/max_completion_tokens",
        ProviderKind::DeepSeek => "/max_tokens",
        ProviderKind::Gemini => "/generationConfig/maxOutputTokens",
        ProviderKind::Ollama => "/options/num_predict",
    };
    body.pointer(pointer).and_then(Value::as_u64).unwrap_or(0)
}

/// The provider's success body around the answer text. `thinking` tokens
/// are reported as each provider does: Gemini apart, the others within the
/// output count.
pub fn success(
    kind: ProviderKind,
    model: &str,
    answer: &str,
    input_tokens: u64,
    thinking: u64,
    truncated: bool,
) -> Value {
    let answer_tokens = (answer.len() as u64).div_ceil(4);
    let output_tokens = answer_tokens + thinking;
    match kind {
        ProviderKind::Anthropic => {
            let input: Value =
                serde_json::from_str(answer).unwrap_or(Value::String(answer.to_owned()));
            json!({
                "id": "msg_sim", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "tool_use", "id": "toolu_sim", "name": "record", "input": input}],
                "stop_reason": if truncated { "max_tokens" } else { "tool_use" },
                "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
            })
        }
        ProviderKind::OpenAi | ProviderKind::DeepSeek => json!({
            "id": "chatcmpl-sim", "object": "chat.completion", "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer, "refusal": null},
                         "finish_reason": if truncated { "length" } else { "stop" }}],
            "usage": {"prompt_tokens": input_tokens, "completion_tokens": output_tokens, "total_tokens": input_tokens + output_tokens,
                      "completion_tokens_details": {"reasoning_tokens": thinking}},
        }),
        ProviderKind::Gemini => {
            let mut usage = json!({
                "promptTokenCount": input_tokens, "candidatesTokenCount": answer_tokens,
                "totalTokenCount": input_tokens + output_tokens,
            });
            // Gemini leaves the field out when the model did not think.
            if thinking > 0 {
                usage["thoughtsTokenCount"] = json!(thinking);
            }
            json!({
                "candidates": [{"content": {"role": "model", "parts": [{"text": answer}]},
                                "finishReason": if truncated { "MAX_TOKENS" } else { "STOP" }}],
                "usageMetadata": usage,
                "modelVersion": model,
            })
        }
        ProviderKind::Ollama => json!({
            "model": model, "created_at": "2026-11-25T00:00:00Z",
            "message": {"role": "assistant", "content": answer},
            "done": true, "done_reason": if truncated { "length" } else { "stop" },
            "prompt_eval_count": input_tokens, "eval_count": output_tokens,
        }),
    }
}

/// The provider's error body for `status`, as each documents it.
pub fn error(kind: ProviderKind, status: u16, message: &str) -> Value {
    match kind {
        ProviderKind::Anthropic => {
            let kind = match status {
                401 => "authentication_error",
                429 => "rate_limit_error",
                529 => "overloaded_error",
                400 => "invalid_request_error",
                _ => "api_error",
            };
            json!({"type": "error", "error": {"type": kind, "message": message}})
        }
        ProviderKind::OpenAi | ProviderKind::DeepSeek => {
            let code = match status {
                401 => "invalid_api_key",
                429 => "rate_limit_exceeded",
                _ => "server_error",
            };
            json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}})
        }
        ProviderKind::Gemini => {
            let state = match status {
                400 => "INVALID_ARGUMENT",
                403 => "PERMISSION_DENIED",
                429 => "RESOURCE_EXHAUSTED",
                503 => "UNAVAILABLE",
                _ => "INTERNAL",
            };
            json!({"error": {"code": status, "message": message, "status": state}})
        }
        ProviderKind::Ollama => json!({"error": message}),
    }
}
