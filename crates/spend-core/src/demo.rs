//! The demo: the providers' simulators started in-process (TrueLayer's
//! sandbox and a Gmail account), connected like real ones, so the whole
//! product runs without credentials.

use crate::app::{AppError, GoogleApp, Spend, TrueLayerApp};

/// The demo Gmail address.
pub const GMAIL_ADDRESS: &str = "alex@example.org";
/// The demo TrueLayer connection's name.
pub const TRUELAYER_CONNECTION: &str = "demo-bank";

/// The running simulators.
pub struct Demo {
    truelayer: truelayer_client::testkit::Sandbox,
    gmail: gmail_receipts::testkit::GmailSimulator,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo").finish_non_exhaustive()
    }
}

impl Demo {
    /// Starts the simulators on loopback ports.
    pub async fn start() -> Demo {
        Demo {
            truelayer: truelayer_client::testkit::Sandbox::start().await,
            gmail: gmail_receipts::testkit::GmailSimulator::start(
                gmail_receipts::testkit::SimConfig::default().messages(300),
            )
            .await,
        }
    }

    /// TrueLayer's side.
    pub fn truelayer(&self) -> TrueLayerApp {
        TrueLayerApp {
            environment: self.truelayer.environment(),
            credentials: self.truelayer.credentials(),
        }
    }

    /// Google's side.
    pub fn google(&self) -> Result<GoogleApp, AppError> {
        Ok(GoogleApp {
            oauth: self
                .gmail
                .oauth()
                .map_err(|e| AppError::Source(crate::sources::SourceError::Gmail(e.into())))?,
            base_url: Some(self.gmail.url()),
        })
    }

    /// Connects `spend` to both simulators (a consent each), as `spend connect` would.
    pub async fn connect(&self, spend: &Spend) -> Result<(), AppError> {
        spend
            .connect(
                "truelayer",
                TRUELAYER_CONNECTION,
                &self.truelayer.connect_user(),
            )
            .await?;
        spend
            .connect("gmail", GMAIL_ADDRESS, &self.gmail.refresh_token())
            .await?;
        Ok(())
    }
}
