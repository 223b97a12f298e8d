//! Which LLM enrichment uses: `[llm]` in `spend.toml`, or the environment.

use std::sync::Arc;

use llm_enrich::{
    Anthropic, Config, DeepSeek, Gemini, Ollama, OpenAi, Provider, ProviderKind, SecretString,
};
use serde::Deserialize;

use super::EnrichError;

/// The `[llm]` table of `spend.toml`.
///
/// ```toml
/// [llm]
/// provider = "anthropic"          # anthropic, openai, gemini, deepseek or ollama
/// model = "claude-haiku-4-5"      # optional: the provider's default otherwise
/// # base_url = "http://127.0.0.1:11434"   # Ollama elsewhere, or an OpenAI-compatible server
/// # api_key_env = "MY_ANTHROPIC_KEY"      # default: ANTHROPIC_API_KEY, OPENAI_API_KEY, ...
/// # budget = "0.50"                       # US dollars for a whole run
/// ```
///
/// The key is read from the environment variable, never from the file.
///
/// ```
/// use spend_core::enrich::LlmSettings;
/// let settings: LlmSettings = toml::from_str("provider = \"ollama\"\nmodel = \"llama3.2\"").unwrap();
/// assert!(settings.provider().is_ok(), "Ollama needs no key");
/// let anthropic: LlmSettings = toml::from_str("provider = \"anthropic\"\napi_key_env = \"NO_SUCH_VARIABLE_SET\"").unwrap();
/// let refused = anthropic.provider().err().expect("no key is set");
/// assert!(refused.to_string().contains("NO_SUCH_VARIABLE_SET"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmSettings {
    /// `anthropic`, `openai`, `gemini`, `deepseek` or `ollama`.
    pub provider: String,
    /// The model (the provider's default when absent).
    pub model: Option<String>,
    /// The API root, for Ollama elsewhere or an OpenAI-compatible server.
    pub base_url: Option<String>,
    /// The environment variable holding the API key.
    pub api_key_env: Option<String>,
    /// The most a whole run may spend, in US dollars (a decimal string).
    pub budget: Option<String>,
}

impl LlmSettings {
    /// Settings for `provider` with its defaults.
    pub fn named(provider: &str) -> Self {
        LlmSettings {
            provider: provider.to_owned(),
            ..Self::default()
        }
    }

    /// The provider's kind.
    pub fn kind(&self) -> Result<ProviderKind, EnrichError> {
        match self.provider.to_lowercase().as_str() {
            "anthropic" => Ok(ProviderKind::Anthropic),
            "openai" => Ok(ProviderKind::OpenAi),
            "gemini" => Ok(ProviderKind::Gemini),
            "deepseek" => Ok(ProviderKind::DeepSeek),
            "ollama" => Ok(ProviderKind::Ollama),
            other => Err(EnrichError::Settings(format!(
                "unknown LLM provider {other:?} (anthropic, openai, gemini, deepseek or ollama)"
            ))),
        }
    }

    /// The budget, when set.
    pub fn budget(&self) -> Result<Option<rust_decimal::Decimal>, EnrichError> {
        self.budget
            .as_deref()
            .map(|b| {
                b.trim().parse().map_err(|_| {
                    EnrichError::Settings(format!("llm.budget {b:?} is not an amount of dollars"))
                })
            })
            .transpose()
    }

    /// Builds the provider, reading its key from the environment.
    pub fn provider(&self) -> Result<Arc<dyn Provider>, EnrichError> {
        let kind = self.kind()?;
        let mut config = Config::new();
        if let Some(model) = &self.model {
            config = config.model(model.clone());
        }
        if let Some(url) = &self.base_url {
            config = config.base_url(url.clone());
        }
        let key = || {
            let var = self
                .api_key_env
                .clone()
                .unwrap_or_else(|| format!("{}_API_KEY", kind.as_str().to_uppercase()));
            std::env::var(&var)
                .ok()
                .filter(|k| !k.trim().is_empty())
                .map(SecretString::from)
                .ok_or_else(|| {
                    EnrichError::Settings(format!(
                        "no API key for {}: set {var} (or llm.api_key_env in spend.toml)",
                        kind.as_str()
                    ))
                })
        };
        Ok(match kind {
            ProviderKind::Anthropic => Arc::new(Anthropic::new(key()?, config)?),
            ProviderKind::OpenAi => Arc::new(OpenAi::new(key()?, config)?),
            ProviderKind::Gemini => Arc::new(Gemini::new(key()?, config)?),
            ProviderKind::DeepSeek => Arc::new(DeepSeek::new(key()?, config)?),
            ProviderKind::Ollama => Arc::new(Ollama::new(config)?),
        })
    }
}
