//! A mailbox opened read-only, and the stream of its messages.

use std::collections::VecDeque;
use std::future::Future;
use std::time::Duration;

use async_imap::Session;
use futures_util::stream::{self, Stream, TryStreamExt};
use rustls::pki_types::ServerName;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::uid_set::uid_set;
use super::{ImapConfig, ImapError, tls};
use crate::MailMessage;

type Connection = Session<TlsStream<TcpStream>>;

/// Where the next run starts: store it once this run's messages are persisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImapCheckpoint {
    /// The mailbox's `UIDVALIDITY` when the UIDs were read.
    pub uid_validity: u32,
    /// The highest UID seen (fetched or skipped).
    pub last_uid: u32,
}

/// How a run read the mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImapMode {
    /// Every message (since the configured date).
    Full,
    /// Messages after the checkpoint's UID.
    Incremental,
    /// The server renumbered the mailbox: every message again.
    FullAfterUidValidityChange,
}

/// What the message stream yields.
#[derive(Debug)]
pub enum ImapItem {
    /// A fetched message.
    Message(MailMessage),
    /// A message that was not fetched (over the size cap, or gone).
    Skipped {
        /// Its UID.
        uid: u32,
        /// Why.
        error: ImapError,
    },
    /// The end: the checkpoint to store after persisting the messages.
    Done {
        /// The next run's start.
        checkpoint: ImapCheckpoint,
        /// How this run read the mailbox.
        mode: ImapMode,
        /// Messages fetched.
        fetched: u64,
    },
}

/// A mailbox on an IMAP server, opened read-only.
pub struct ImapMailbox {
    session: Connection,
    config: ImapConfig,
    uid_validity: u32,
    exists: u32,
}

impl std::fmt::Debug for ImapMailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapMailbox")
            .field("config", &self.config)
            .field("uid_validity", &self.uid_validity)
            .field("exists", &self.exists)
            .finish_non_exhaustive()
    }
}

async fn within<T, E>(
    limit: Duration,
    step: &'static str,
    work: impl Future<Output = Result<T, E>>,
    error: impl FnOnce(E) -> ImapError,
) -> Result<T, ImapError> {
    match tokio::time::timeout(limit, work).await {
        Ok(result) => result.map_err(error),
        Err(_) => Err(ImapError::Timeout { step }),
    }
}

/// `1-Jan-2024`, IMAP's date.
fn imap_date(date: time::Date) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}-{}-{}",
        date.day(),
        MONTHS[usize::from(u8::from(date.month())) - 1],
        date.year()
    )
}

fn flag_name(flag: async_imap::types::Flag<'_>) -> String {
    use async_imap::types::Flag;
    match flag {
        Flag::Seen => "\\Seen".into(),
        Flag::Answered => "\\Answered".into(),
        Flag::Flagged => "\\Flagged".into(),
        Flag::Deleted => "\\Deleted".into(),
        Flag::Draft => "\\Draft".into(),
        Flag::Recent => "\\Recent".into(),
        Flag::MayCreate => "\\*".into(),
        Flag::Custom(name) => name.into_owned(),
    }
}

impl ImapMailbox {
    /// Connects over TLS, logs in and opens the configured mailbox read-only.
    pub async fn connect(config: ImapConfig) -> Result<Self, ImapError> {
        let limit = config.timeout;
        let (host, port) = (config.host.clone(), config.port);
        let tls = tls::client_config(&host, config.roots_pem.as_deref())?;
        let tls_error = |detail: String| ImapError::Tls {
            host: host.clone(),
            detail,
        };
        let server_name = ServerName::try_from(host.clone())
            .map_err(|e| tls_error(format!("{host} is not a valid server name: {e}")))?;
        let tcp = within(
            limit,
            "connect",
            TcpStream::connect((host.as_str(), port)),
            |source| ImapError::Connect {
                host: host.clone(),
                port,
                source,
            },
        )
        .await?;
        let stream = within(
            limit,
            "TLS handshake",
            TlsConnector::from(tls).connect(server_name, tcp),
            |e| tls_error(e.to_string()),
        )
        .await?;

        let mut client = async_imap::Client::new(stream);
        let greeting = within(limit, "greeting", client.read_response(), |e| {
            ImapError::Protocol {
                step: "greeting",
                source: e.into(),
            }
        })
        .await?;
        if greeting.is_none() {
            return Err(ImapError::Protocol {
                step: "greeting",
                source: async_imap::error::Error::ConnectionLost,
            });
        }
        let login = client.login(&config.username, config.password.expose_secret());
        let mut session = match tokio::time::timeout(limit, login).await {
            Err(_) => return Err(ImapError::Timeout { step: "login" }),
            Ok(Ok(session)) => session,
            Ok(Err((async_imap::error::Error::No(message), _))) => {
                return Err(ImapError::Login { message });
            }
            Ok(Err((source, _))) => {
                return Err(ImapError::Protocol {
                    step: "login",
                    source,
                });
            }
        };
        let mailbox = within(
            limit,
            "EXAMINE",
            session.examine(&config.mailbox),
            |e| match e {
                async_imap::error::Error::No(message) | async_imap::error::Error::Bad(message) => {
                    ImapError::Mailbox {
                        name: config.mailbox.clone(),
                        message,
                    }
                }
                source => ImapError::Protocol {
                    step: "EXAMINE",
                    source,
                },
            },
        )
        .await?;
        let uid_validity = mailbox
            .uid_validity
            .ok_or_else(|| ImapError::NoUidValidity {
                name: config.mailbox.clone(),
            })?;
        tracing::debug!(mailbox = %config.mailbox, uid_validity, exists = mailbox.exists, "IMAP mailbox opened");
        Ok(ImapMailbox {
            session,
            config,
            uid_validity,
            exists: mailbox.exists,
        })
    }

    /// The mailbox's `UIDVALIDITY`.
    pub fn uid_validity(&self) -> u32 {
        self.uid_validity
    }

    /// Messages in the mailbox when it was opened.
    pub fn exists(&self) -> u32 {
        self.exists
    }

    /// The UIDs to read, ascending, and how.
    async fn plan(
        &mut self,
        from: Option<ImapCheckpoint>,
    ) -> Result<(Vec<u32>, ImapMode, u32), ImapError> {
        let (mode, after) = match from {
            None => (ImapMode::Full, 0),
            Some(c) if c.uid_validity == self.uid_validity => (ImapMode::Incremental, c.last_uid),
            Some(_) => (ImapMode::FullAfterUidValidityChange, 0),
        };
        let mut query = format!("UID {}:*", after.saturating_add(1));
        if let Some(since) = self.config.since {
            query.push_str(&format!(" SINCE {}", imap_date(since)));
        }
        let found = within(
            self.config.timeout,
            "UID SEARCH",
            self.session.uid_search(&query),
            ImapError::protocol("UID SEARCH"),
        )
        .await?;
        // `n:*` always matches the highest UID, even below n.
        let mut uids: Vec<u32> = found.into_iter().filter(|uid| *uid > after).collect();
        uids.sort_unstable();
        Ok((uids, mode, after))
    }

    /// Fetches one batch of UIDs: sizes first, then the bodies under the cap.
    async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<ImapItem>, ImapError> {
        let limit = self.config.timeout;
        let set = uid_set(uids);
        let sizes: Vec<(u32, u32)> = within(
            limit,
            "UID FETCH (size)",
            async {
                let fetches = self.session.uid_fetch(&set, "(UID RFC822.SIZE)").await?;
                fetches
                    .try_filter_map(
                        |f| async move { Ok(f.uid.map(|uid| (uid, f.size.unwrap_or(0)))) },
                    )
                    .try_collect()
                    .await
            },
            ImapError::protocol("UID FETCH"),
        )
        .await?;
        let mut items = Vec::with_capacity(uids.len());
        let mut wanted = Vec::new();
        for uid in uids {
            match sizes.iter().find(|(u, _)| u == uid) {
                Some((_, size)) if *size > self.config.max_message => {
                    items.push(ImapItem::Skipped {
                        uid: *uid,
                        error: ImapError::TooLarge {
                            uid: *uid,
                            size: *size,
                            limit: self.config.max_message,
                        },
                    })
                }
                Some(_) => wanted.push(*uid),
                None => items.push(ImapItem::Skipped {
                    uid: *uid,
                    error: ImapError::Mailbox {
                        name: self.config.mailbox.clone(),
                        message: format!("UID {uid} was expunged before it could be fetched"),
                    },
                }),
            }
        }
        if wanted.is_empty() {
            return Ok(items);
        }
        let (mailbox, validity) = (self.config.mailbox.clone(), self.uid_validity);
        let set = uid_set(&wanted);
        let fetched: Vec<MailMessage> = within(
            limit.saturating_mul(4),
            "UID FETCH (body)",
            async {
                let fetches = self
                    .session
                    .uid_fetch(&set, "(UID FLAGS INTERNALDATE BODY.PEEK[])")
                    .await?;
                fetches
                    .try_filter_map(|f| {
                        let mailbox = &mailbox;
                        async move {
                            let (Some(uid), Some(body)) = (f.uid, f.body()) else {
                                return Ok(None);
                            };
                            Ok(Some(MailMessage {
                                id: format!("imap:{mailbox}:{validity}:{uid}"),
                                thread_id: None,
                                history_id: None,
                                internal_date: f.internal_date().map(|d| d.timestamp_millis()),
                                labels: f.flags().map(flag_name).collect(),
                                raw: body.to_vec(),
                            }))
                        }
                    })
                    .try_collect()
                    .await
            },
            ImapError::protocol("UID FETCH"),
        )
        .await?;
        items.extend(fetched.into_iter().map(ImapItem::Message));
        Ok(items)
    }

    /// Every message after `from` (every message when `None` or when the
    /// mailbox was renumbered), fetched `batch` at a time; the stream ends
    /// with [`ImapItem::Done`] or with the error that stopped it. The
    /// session is logged out at the end.
    ///
    /// A message's [`MailMessage::id`] is `imap:{mailbox}:{uidvalidity}:{uid}`
    /// (its UID last).
    pub fn messages(
        self,
        from: Option<ImapCheckpoint>,
    ) -> impl Stream<Item = Result<ImapItem, ImapError>> + Send {
        struct Run {
            mailbox: ImapMailbox,
            from: Option<ImapCheckpoint>,
            plan: Option<(VecDeque<u32>, ImapMode)>,
            ready: VecDeque<ImapItem>,
            last_uid: u32,
            fetched: u64,
            done: bool,
        }
        let run = Run {
            mailbox: self,
            from,
            plan: None,
            ready: VecDeque::new(),
            last_uid: 0,
            fetched: 0,
            done: false,
        };
        stream::try_unfold(run, |mut run| async move {
            loop {
                if let Some(item) = run.ready.pop_front() {
                    if matches!(item, ImapItem::Message(_)) {
                        run.fetched += 1;
                    }
                    return Ok(Some((item, run)));
                }
                if run.done {
                    let _ = run.mailbox.session.logout().await;
                    return Ok(None);
                }
                if run.plan.is_none() {
                    let (uids, mode, after) = run.mailbox.plan(run.from).await?;
                    tracing::info!(count = uids.len(), ?mode, "IMAP messages to read");
                    run.last_uid = after;
                    run.plan = Some((uids.into(), mode));
                }
                let Some((pending, mode)) = run.plan.as_mut() else {
                    continue;
                };
                if pending.is_empty() {
                    run.done = true;
                    run.ready.push_back(ImapItem::Done {
                        checkpoint: ImapCheckpoint {
                            uid_validity: run.mailbox.uid_validity,
                            last_uid: run.last_uid,
                        },
                        mode: *mode,
                        fetched: run.fetched,
                    });
                    continue;
                }
                let take = pending.len().min(run.mailbox.config.batch);
                let batch: Vec<u32> = pending.drain(..take).collect();
                run.last_uid = run.last_uid.max(batch.last().copied().unwrap_or(0));
                let items = run.mailbox.fetch(&batch).await?;
                run.ready.extend(items);
            }
        })
    }
}
