//! The MCP server: one person's spend, read-only unless writes are allowed.

use std::sync::Arc;

use base64::Engine as _;
use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::*;
use rmcp::service::RequestContext;
use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler, prompt, prompt_handler, prompt_router,
    tool_handler,
};
use schemars::JsonSchema;
use serde::Deserialize;
use spend_core::app::{ProviderApps, Settings, Spend};

/// The server: every tool calls the spend-core function the `spend` command calls.
#[derive(Clone)]
pub struct SpendMcp {
    pub(crate) spend: Arc<Spend>,
    pub(crate) settings: Arc<Settings>,
    /// The providers' apps the sync tools use.
    pub(crate) apps: Arc<ProviderApps>,
    /// The LLM when none is configured (the demo's simulator).
    pub(crate) simulated_llm: Option<Arc<dyn llm_enrich::Provider>>,
    /// The store's job queue, opened (and its tables made) on first use.
    pub(crate) jobs: Arc<tokio::sync::OnceCell<spend_core::jobs::JobQueue>>,
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
}

impl SpendMcp {
    /// Serves `spend`; the tools that change data or cost money only with
    /// `allow_writes`. `apps` are the providers the sync tools call;
    /// `simulated_llm` categorises when no LLM is configured.
    pub fn new(
        spend: Arc<Spend>,
        settings: Arc<Settings>,
        apps: ProviderApps,
        simulated_llm: Option<Arc<dyn llm_enrich::Provider>>,
        allow_writes: bool,
    ) -> Self {
        let mut tool_router = Self::read_tools();
        if allow_writes {
            tool_router += Self::write_tools();
        }
        SpendMcp {
            spend,
            settings,
            apps: Arc::new(apps),
            simulated_llm,
            jobs: Arc::default(),
            tool_router,
            prompt_router: Self::prompt_router(),
        }
    }
}

/// Arguments of the `monthly_review` prompt.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct MonthArgs {
    /// The month to review, YYYY-MM.
    pub month: String,
}

#[prompt_router]
impl SpendMcp {
    /// Review one month of spending: where the money went, what changed, what recurs, what to question.
    #[prompt(name = "monthly_review")]
    async fn monthly_review(
        &self,
        Parameters(args): Parameters<MonthArgs>,
    ) -> Result<GetPromptResult, McpError> {
        Ok(GetPromptResult::new(vec![PromptMessage::new_text(
            Role::User,
            format!(
                "Review my spending for {month}. Call the `report` tool with period {month}, then: \
                 say where the money went by category and the largest merchants; compare with the \
                 month before (its trends); list recurring payments and anything new among them; \
                 point out charges that are uncategorised or have no receipt (search_transactions, \
                 list_matches with state suggested) and ask me about them. Amounts in the report are \
                 minor units of its currency.",
                month = args.month
            ),
        )])
        .with_description("A monthly spending review"))
    }
}

/// `spend://emails/{mailbox}/{message_id}` and `spend://documents/{sha256}`.
const EMAIL_PREFIX: &str = "spend://emails/";
const DOCUMENT_PREFIX: &str = "spend://documents/";

fn encode(part: &str) -> String {
    part.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn decode(part: &str) -> Option<String> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The URI of a stored email's raw message.
pub(crate) fn email_uri(mailbox: &str, message_id: &str) -> String {
    format!("{EMAIL_PREFIX}{}/{}", encode(mailbox), encode(message_id))
}

/// The URI of a stored document.
pub(crate) fn document_uri(sha256: &str) -> String {
    format!("{DOCUMENT_PREFIX}{sha256}")
}

fn not_found(uri: &str) -> McpError {
    McpError::resource_not_found("no such resource", Some(serde_json::json!({ "uri": uri })))
}

#[tool_handler(router = self.tool_router)]
#[prompt_handler(router = self.prompt_router)]
impl ServerHandler for SpendMcp {
    #[allow(deprecated)] // logging is deprecated by SEP-2577 but clients still use it
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_logging()
            .enable_prompts()
            .enable_resources()
            .enable_tools()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("spend-mcp", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "One person's spending: bank transactions, Amazon orders, email receipts, matches \
                 between them, categories, and reports. Amounts in reports are minor units. \
                 Tools that change data exist only when the server runs with --allow-writes.",
            )
    }

    #[allow(deprecated)]
    async fn set_level(
        &self,
        _request: SetLevelRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        // The server sends no log notifications, so every level is already honoured.
        Ok(())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        // Mail and documents are many: they are reached through the templates
        // (and the URIs the search tools return), not listed one by one.
        Ok(ListResourcesResult::with_all_items(Vec::new()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new("spend://emails/{mailbox}/{message_id}", "raw-email")
                .with_description("A stored email as it arrived (RFC 5322), mailbox and Message-ID percent-encoded")
                .with_mime_type("message/rfc822"),
            ResourceTemplate::new("spend://documents/{sha256}", "document")
                .with_description("A stored attachment (PDF invoice) by its SHA-256")
                .with_mime_type("application/pdf"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let uri = request.uri;
        let user = self.spend.user.as_ref();
        if let Some(rest) = uri.strip_prefix(EMAIL_PREFIX) {
            let (mailbox, message_id) = rest
                .split_once('/')
                .and_then(|(m, id)| Some((decode(m)?, decode(id)?)))
                .ok_or_else(|| not_found(&uri))?;
            let email = user
                .email(&mailbox, &message_id)
                .await
                .map_err(|e| McpError::internal_error(e.to_string(), None))?
                .ok_or_else(|| not_found(&uri))?;
            let raw = self
                .spend
                .archive
                .raw(&email)
                .await
                .map_err(|e| McpError::internal_error(e.to_string(), None))?;
            let blob = base64::engine::general_purpose::STANDARD.encode(&raw);
            return Ok(ReadResourceResult::new(vec![
                ResourceContents::blob(blob, uri.clone()).with_mime_type("message/rfc822"),
            ])
            .into());
        }
        if let Some(sha) = uri.strip_prefix(DOCUMENT_PREFIX) {
            let documents = user
                .documents(None)
                .await
                .map_err(|e| McpError::internal_error(e.to_string(), None))?;
            let document = documents
                .into_iter()
                .find(|d| d.sha256 == sha)
                .ok_or_else(|| not_found(&uri))?;
            let key = blob_store::Key::new(document.blob_key.clone())
                .map_err(|e| McpError::internal_error(e.to_string(), None))?;
            let stored = self
                .spend
                .blobs
                .get(&key)
                .await
                .map_err(|e| McpError::internal_error(e.to_string(), None))?
                .ok_or_else(|| not_found(&uri))?;
            let blob = base64::engine::general_purpose::STANDARD.encode(&stored.bytes);
            return Ok(ReadResourceResult::new(vec![
                ResourceContents::blob(blob, uri.clone()).with_mime_type(document.content_type),
            ])
            .into());
        }
        Err(not_found(&uri))
    }
}
