// The storage implementation shared by the SQLite and Postgres backends.
// Included by `sqlite.rs` and `postgres.rs`, which define `Db`, `Backend`
// (the store type, with a `pool` field), `BACKEND` and `MAX_PARAMS`.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use sqlx::{QueryBuilder, Row};

use crate::model::{
    Account, ApplePurchase, Checkpoint, Connection, Document, Email, Enrichment, Mandate, Match, Order,
    Receipt, Rule, SyncRun, Transaction, TransactionRef, UserId,
};
use crate::store::sql::rows::{self, Get};
use crate::store::sql::{Param, Table, fingerprint, millis, now_millis};
use crate::store::{
    Batch, Grouping, OrderQuery, Page, Reencrypt, Result, SpendQuery, SpendRow, Store,
    StoreError, StoredSecret, TransactionQuery, Upserted, UserStore, Written,
};

type DbRow = <Db as sqlx::Database>::Row;
type Conn = <Db as sqlx::Database>::Connection;

/// A result row of a table.
struct R<'a>(&'a DbRow, &'static str);

impl Get for R<'_> {
    fn table(&self) -> &'static str {
        self.1
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.0.try_get::<i64, _>(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.0.try_get::<Option<i64>, _>(col)?)
    }
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.0.try_get::<String, _>(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.0.try_get::<Option<String>, _>(col)?)
    }
    fn real(&self, col: &str) -> Result<f64> {
        Ok(self.0.try_get::<f64, _>(col)?)
    }
}

fn decode<T>(
    rows: &[DbRow],
    table: &'static str,
    f: impl Fn(&R<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    rows.iter().map(|r| f(&R(r, table))).collect()
}


/// Upserts `rows` into `table` for `user`, in chunks that fit the backend's
/// parameter limit. Rows repeated in one call count once (the last wins).
async fn upsert(conn: &mut Conn, user: i64, table: &Table, rows: Vec<Vec<Param>>) -> Result<Upserted> {
    let mut out = Upserted::default();
    if rows.is_empty() {
        return Ok(out);
    }
    // Fold repeated keys (the last wins): rows are found by a hash of their
    // key values, and compared in full, so a hash collision never merges two.
    let key_len = table.key.len();
    let mut position: HashMap<i64, Vec<usize>> = HashMap::with_capacity(rows.len());
    let mut unique: Vec<Vec<Param>> = Vec::with_capacity(rows.len());
    for row in rows {
        let slots = position.entry(fingerprint(&row[..key_len])).or_default();
        match slots.iter().find(|&&i| unique[i][..key_len] == row[..key_len]) {
            Some(&i) => unique[i] = row,
            None => {
                slots.push(unique.len());
                unique.push(row);
            }
        }
    }
    let per_chunk = (MAX_PARAMS / table.width()).clamp(1, 10_000);
    let mut rest = unique.into_iter();
    loop {
        let chunk: Vec<Vec<Param>> = rest.by_ref().take(per_chunk).collect();
        if chunk.is_empty() {
            break;
        }
        let rows = chunk.len();
        let versions = insert_chunk(&mut *conn, user, table, chunk).await?;
        let inserted = versions.iter().filter(|v| **v == 1).count() as u64;
        out.inserted += inserted;
        out.updated += versions.len() as u64 - inserted;
        out.unchanged += (rows - versions.len()) as u64;
    }
    Ok(out)
}

/// Copies what enrichment decided onto the transactions' report columns
/// (only the rows that differ), so that reports group without a join.
async fn copy_enrichments(conn: &mut Conn, user: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE transactions SET eff_category = COALESCE(e.category, ''), eff_merchant = e.merchant, \
         essential = e.essential, \
         report_category = CASE WHEN COALESCE(e.category, '') <> '' THEN e.category ELSE transactions.category END, \
         report_merchant = COALESCE(e.merchant, transactions.merchant, transactions.description) \
         FROM enrichments e \
         WHERE transactions.user_id = $1 AND e.user_id = $1 AND e.tx_source = transactions.source \
         AND e.tx_account = transactions.account_id AND e.tx_id = transactions.tx_id \
         AND (transactions.eff_category IS DISTINCT FROM COALESCE(e.category, '') \
         OR transactions.eff_merchant IS DISTINCT FROM e.merchant \
         OR transactions.essential IS DISTINCT FROM e.essential)",
    )
    .bind(user)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

async fn delete_transaction(conn: &mut Conn, user: i64, key: &TransactionRef) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM transactions WHERE user_id = $1 AND source = $2 AND account_id = $3 AND tx_id = $4",
    )
    .bind(user)
    .bind(&key.source)
    .bind(&key.account_id)
    .bind(&key.id)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

impl Store for Backend {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn ensure_user(&self, name: &str) -> BoxFuture<'_, Result<UserId>> {
        let name = name.to_owned();
        Box::pin(async move {
            sqlx::query("INSERT INTO users (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
                .bind(&name)
                .execute(&self.pool)
                .await?;
            let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE name = $1")
                .bind(&name)
                .fetch_one(&self.pool)
                .await?;
            Ok(UserId(id))
        })
    }

    fn users(&self) -> BoxFuture<'_, Result<Vec<(UserId, String)>>> {
        Box::pin(async move {
            let rows = sqlx::query("SELECT id, name FROM users ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
            decode(&rows, "users", |r| Ok((UserId(r.int("id")?), r.text("name")?)))
        })
    }

    fn user(&self, id: UserId) -> Arc<dyn UserStore> {
        Arc::new(Scoped {
            pool: self.pool.clone(),
            user: id.0,
        })
    }

    fn rate_states<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, Result<Vec<(String, String, i64)>>> {
        Box::pin(async move {
            let rows = sqlx::query("SELECT operation, key, full_at_ms FROM rate_states WHERE scope = $1")
                .bind(scope)
                .fetch_all(&self.pool)
                .await?;
            decode(&rows, "rate_states", |r| Ok((r.text("operation")?, r.text("key")?, r.int("full_at_ms")?)))
        })
    }

    fn put_rate_states<'a>(&'a self, scope: &'a str, states: &'a [(String, String, i64)]) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            for (operation, key, full_at) in states {
                sqlx::query(
                    "INSERT INTO rate_states (scope, operation, key, full_at_ms) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (scope, operation, key) DO UPDATE SET full_at_ms = excluded.full_at_ms \
                     WHERE excluded.full_at_ms > rate_states.full_at_ms",
                )
                .bind(scope)
                .bind(operation)
                .bind(key)
                .bind(full_at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn reserve_rate<'a>(
        &'a self,
        scope: &'a str,
        operation: &'a str,
        key: &'a str,
        now_ms: i64,
        cost_ms: i64,
    ) -> BoxFuture<'a, Result<i64>> {
        Box::pin(async move {
            let row = sqlx::query(
                "INSERT INTO rate_states (scope, operation, key, full_at_ms) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (scope, operation, key) DO UPDATE SET full_at_ms = \
                 (CASE WHEN rate_states.full_at_ms > $5 THEN rate_states.full_at_ms ELSE $5 END) + $6 \
                 RETURNING full_at_ms",
            )
            .bind(scope)
            .bind(operation)
            .bind(key)
            .bind(now_ms.saturating_add(cost_ms))
            .bind(now_ms)
            .bind(cost_ms)
            .fetch_one(&self.pool)
            .await?;
            Ok(row.try_get::<i64, _>("full_at_ms")?)
        })
    }

    fn job_db(&self) -> Option<crate::jobs::JobDb> {
        Some(self.pool.clone().into())
    }

    fn rewrite_secrets<'a>(&'a self, reencrypt: Reencrypt<'a>) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            let rows = sqlx::query("SELECT user_id, provider, name, key, ciphertext, version FROM secrets")
                .fetch_all(&mut *tx)
                .await?;
            let now = now_millis();
            for row in &rows {
                let r = R(row, "secrets");
                let (user, provider, name, key) = (r.int("user_id")?, r.text("provider")?, r.text("name")?, r.text("key")?);
                let (mut ciphertext, mut version) = (r.text("ciphertext")?, r.int("version")?);
                // The secret is the same, only its encryption changes: the
                // version stays, so a writer that loaded it before still
                // saves. If a writer got in between (a rotated refresh token),
                // its value is the one re-encrypted: never the older one.
                loop {
                    let fresh = reencrypt(&ciphertext)?;
                    let done = sqlx::query(
                        "UPDATE secrets SET ciphertext = $1, updated_ms = $2 \
                         WHERE user_id = $3 AND provider = $4 AND name = $5 AND key = $6 AND version = $7",
                    )
                    .bind(fresh)
                    .bind(now)
                    .bind(user)
                    .bind(&provider)
                    .bind(&name)
                    .bind(&key)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if done > 0 {
                        break;
                    }
                    let now_stored = sqlx::query(
                        "SELECT ciphertext, version FROM secrets \
                         WHERE user_id = $1 AND provider = $2 AND name = $3 AND key = $4",
                    )
                    .bind(user)
                    .bind(&provider)
                    .bind(&name)
                    .bind(&key)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(now_stored) = now_stored else { break };
                    let r = R(&now_stored, "secrets");
                    ciphertext = r.text("ciphertext")?;
                    version = r.int("version")?;
                }
            }
            tx.commit().await?;
            Ok(rows.len() as u64)
        })
    }
}

/// One user's view of the store: every statement is bound to `user`.
struct Scoped {
    pool: sqlx::Pool<Db>,
    user: i64,
}

fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn parse_cursor(cursor: &str) -> Result<(String, i64)> {
    cursor
        .split_once('|')
        .and_then(|(date, id)| Some((date.to_owned(), id.parse().ok()?)))
        .filter(|(date, _)| rows::parse_date(date).is_ok())
        .ok_or_else(|| StoreError::Invalid(format!("not a transaction cursor: {cursor:?}")))
}

/// A transaction's merchant: enrichment's, else the bank's, else its description.
const MERCHANT: &str = "report_merchant";

/// A transaction's category: enrichment's when it decided one, else the bank's.
const CATEGORY: &str = "report_category";

impl Scoped {
    async fn write_batch(&self, batch: Batch) -> Result<Written> {
        let mut tx = self.pool.begin().await?;
        let u = self.user;
        let mut w = Written::default();
        let c = &mut *tx;
        w.accounts = upsert(c, u, &rows::ACCOUNTS, batch.accounts.iter().map(rows::account_row).collect()).await?;
        w.transactions = upsert(c, u, &rows::TRANSACTIONS, batch.transactions.iter().map(rows::transaction_row).collect()).await?;
        w.mandates = upsert(c, u, &rows::MANDATES, batch.mandates.iter().map(rows::mandate_row).collect()).await?;
        w.orders = upsert(c, u, &rows::ORDERS, batch.orders.iter().map(rows::order_row).collect()).await?;
        w.apple_purchases = upsert(c, u, &rows::APPLE, batch.apple_purchases.iter().map(rows::apple_row).collect()).await?;
        w.emails = upsert(c, u, &rows::EMAILS, batch.emails.iter().map(rows::email_row).collect()).await?;
        w.receipts = upsert(c, u, &rows::RECEIPTS, batch.receipts.iter().map(rows::receipt_row).collect()).await?;
        w.documents = upsert(c, u, &rows::DOCUMENTS, batch.documents.iter().map(rows::document_row).collect()).await?;
        w.matches = upsert(c, u, &rows::MATCHES, batch.matches.iter().map(rows::match_row).collect()).await?;
        w.enrichments = upsert(c, u, &rows::ENRICHMENTS, batch.enrichments.iter().map(rows::enrichment_row).collect()).await?;
        if w.enrichments.inserted + w.enrichments.updated > 0 {
            copy_enrichments(c, u).await?;
        }
        for key in &batch.removed {
            w.removed += delete_transaction(&mut tx, u, key).await?;
        }
        for (key, target) in &batch.unmatched {
            w.unmatched += sqlx::query(
                "DELETE FROM matches WHERE user_id = $1 AND tx_source = $2 AND tx_account = $3 AND tx_id = $4 AND target_key = $5",
            )
            .bind(u)
            .bind(&key.source)
            .bind(&key.account_id)
            .bind(&key.id)
            .bind(target.key())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        if let Some(cp) = &batch.checkpoint {
            sqlx::query(
                "INSERT INTO checkpoints (user_id, source, value, updated_ms) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, source) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
            )
            .bind(u)
            .bind(&cp.source)
            .bind(rows::json_text(&cp.value))
            .bind(millis(cp.updated_at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(w)
    }

    async fn find_transactions(&self, q: &TransactionQuery) -> Result<Page<Transaction>> {
        let limit = q.limit.clamp(1, 10_000);
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM transactions WHERE user_id = ");
        qb.push_bind(self.user);
        if let Some(account) = &q.account {
            qb.push(" AND account_id = ").push_bind(account.clone());
        }
        if let Some(from) = q.from {
            qb.push(" AND date >= ").push_bind(rows::format_date(from));
        }
        if let Some(to) = q.to {
            qb.push(" AND date <= ").push_bind(rows::format_date(to));
        }
        if let Some(text) = &q.text {
            let pattern = like_pattern(text);
            qb.push(" AND (lower(description) LIKE ").push_bind(pattern.clone());
            qb.push(" ESCAPE '\\' OR lower(COALESCE(merchant, '')) LIKE ").push_bind(pattern);
            qb.push(" ESCAPE '\\')");
        }
        if let Some(min) = q.min_minor {
            qb.push(" AND amount_minor >= ").push_bind(min);
        }
        if let Some(max) = q.max_minor {
            qb.push(" AND amount_minor <= ").push_bind(max);
        }
        if let Some(currency) = &q.currency {
            qb.push(" AND currency = ").push_bind(currency.to_ascii_uppercase());
        }
        if let Some(category) = &q.category {
            qb.push(format!(" AND {CATEGORY} = ")).push_bind(category.clone());
        }
        if let Some(status) = &q.status {
            qb.push(" AND status = ").push_bind(status.clone());
        }
        if let Some(cursor) = &q.after {
            let (date, id) = parse_cursor(cursor)?;
            qb.push(" AND (date < ").push_bind(date.clone());
            qb.push(" OR (date = ").push_bind(date);
            qb.push(" AND id < ").push_bind(id);
            qb.push("))");
        }
        qb.push(" ORDER BY date DESC, id DESC LIMIT ").push_bind(i64::from(limit) + 1);
        let mut found = qb.build().fetch_all(&self.pool).await?;
        let more = found.len() > limit as usize;
        found.truncate(limit as usize);
        let next = match (more, found.last()) {
            (true, Some(last)) => {
                let r = R(last, "transactions");
                Some(format!("{}|{}", r.text("date")?, r.int("id")?))
            }
            _ => None,
        };
        Ok(Page {
            items: decode(&found, "transactions", |r| rows::transaction(r))?,
            next,
        })
    }
}

impl UserStore for Scoped {
    fn user_id(&self) -> UserId {
        UserId(self.user)
    }

    fn write(&self, batch: Batch) -> BoxFuture<'_, Result<Written>> {
        Box::pin(self.write_batch(batch))
    }

    fn accounts(&self) -> BoxFuture<'_, Result<Vec<Account>>> {
        Box::pin(async move {
            let found = sqlx::query("SELECT * FROM accounts WHERE user_id = $1 ORDER BY source, account_id")
                .bind(self.user)
                .fetch_all(&self.pool)
                .await?;
            decode(&found, "accounts", |r| rows::account(r))
        })
    }

    fn transaction<'a>(&'a self, key: &'a TransactionRef) -> BoxFuture<'a, Result<Option<Transaction>>> {
        Box::pin(async move {
            let found = sqlx::query(
                "SELECT * FROM transactions WHERE user_id = $1 AND source = $2 AND account_id = $3 AND tx_id = $4",
            )
            .bind(self.user)
            .bind(&key.source)
            .bind(&key.account_id)
            .bind(&key.id)
            .fetch_optional(&self.pool)
            .await?;
            found.as_ref().map(|r| rows::transaction(&R(r, "transactions"))).transpose()
        })
    }

    fn transactions<'a>(&'a self, query: &'a TransactionQuery) -> BoxFuture<'a, Result<Page<Transaction>>> {
        Box::pin(self.find_transactions(query))
    }

    fn remove_transactions<'a>(&'a self, keys: &'a [TransactionRef]) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            let mut removed = 0;
            for key in keys {
                removed += delete_transaction(&mut tx, self.user, key).await?;
            }
            tx.commit().await?;
            Ok(removed)
        })
    }

    fn spend<'a>(&'a self, query: &'a SpendQuery) -> BoxFuture<'a, Result<Vec<SpendRow>>> {
        Box::pin(self.sum_spend(query))
    }

    fn payments_to<'a>(
        &'a self,
        merchants: &'a [String],
        from: time::Date,
        to: time::Date,
    ) -> BoxFuture<'a, Result<Vec<(String, Transaction)>>> {
        Box::pin(async move {
            let mut out = Vec::new();
            // A few hundred names a query keeps under every backend's parameter limit.
            for names in merchants.chunks(500) {
                let mut qb = QueryBuilder::<Db>::new(format!(
                    "SELECT *, {MERCHANT} AS merchant_name FROM transactions WHERE user_id = "
                ));
                qb.push_bind(self.user);
                qb.push(" AND amount_minor < 0 AND date >= ").push_bind(rows::format_date(from));
                qb.push(" AND date <= ").push_bind(rows::format_date(to));
                qb.push(format!(" AND {MERCHANT} IN ("));
                let mut list = qb.separated(", ");
                for name in names {
                    list.push_bind(name.clone());
                }
                qb.push(") ORDER BY date, id");
                let found = qb.build().fetch_all(&self.pool).await?;
                out.extend(decode(&found, "transactions", |r| {
                    Ok((r.text("merchant_name")?, rows::transaction(r)?))
                })?);
            }
            out.sort_by_key(|(_, t)| t.date);
            Ok(out)
        })
    }

    fn orders<'a>(&'a self, q: &'a OrderQuery) -> BoxFuture<'a, Result<Vec<Order>>> {
        Box::pin(async move {
            let mut qb = QueryBuilder::<Db>::new("SELECT * FROM orders WHERE user_id = ");
            qb.push_bind(self.user);
            if let Some(source) = &q.source {
                qb.push(" AND source = ").push_bind(source.clone());
            }
            if let Some(from) = q.from {
                qb.push(" AND ordered_on >= ").push_bind(rows::format_date(from));
            }
            if let Some(to) = q.to {
                qb.push(" AND ordered_on <= ").push_bind(rows::format_date(to));
            }
            qb.push(" ORDER BY ordered_on DESC, source, order_id");
            if q.limit > 0 {
                qb.push(" LIMIT ").push_bind(i64::from(q.limit));
            }
            let found = qb.build().fetch_all(&self.pool).await?;
            decode(&found, "orders", |r| rows::order(r))
        })
    }

    fn mandates(&self) -> BoxFuture<'_, Result<Vec<Mandate>>> {
        Box::pin(async move {
            let found = sqlx::query(
                "SELECT * FROM mandates WHERE user_id = $1 ORDER BY source, account_id, kind, payee, mandate_id",
            )
            .bind(self.user)
            .fetch_all(&self.pool)
            .await?;
            decode(&found, "mandates", |r| rows::mandate(r))
        })
    }

    fn apple_purchases(&self) -> BoxFuture<'_, Result<Vec<ApplePurchase>>> {
        Box::pin(async move {
            let found = sqlx::query(
                "SELECT * FROM apple_purchases WHERE user_id = $1 ORDER BY purchased_on DESC, order_id",
            )
            .bind(self.user)
            .fetch_all(&self.pool)
            .await?;
            decode(&found, "apple_purchases", |r| rows::apple(r))
        })
    }

    fn email<'a>(&'a self, mailbox: &'a str, message_id: &'a str) -> BoxFuture<'a, Result<Option<Email>>> {
        Box::pin(async move {
            let found = sqlx::query("SELECT * FROM emails WHERE user_id = $1 AND mailbox = $2 AND message_id = $3")
                .bind(self.user)
                .bind(mailbox)
                .bind(message_id)
                .fetch_optional(&self.pool)
                .await?;
            found.as_ref().map(|r| rows::email(&R(r, "emails"))).transpose()
        })
    }

    fn emails_with_message_id<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<Vec<Email>>> {
        Box::pin(async move {
            let bare = message_id.trim().trim_start_matches('<').trim_end_matches('>');
            let found = sqlx::query(
                "SELECT * FROM emails WHERE user_id = $1 AND message_id IN ($2, $3) ORDER BY mailbox, message_id",
            )
            .bind(self.user)
            .bind(bare)
            .bind(format!("<{bare}>"))
            .fetch_all(&self.pool)
            .await?;
            decode(&found, "emails", |r| rows::email(r))
        })
    }

    fn counts(&self) -> BoxFuture<'_, Result<crate::store::Counts>> {
        Box::pin(async move {
            let count = |table: &'static str| async move {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {table} WHERE user_id = $1")))
                    .bind(self.user)
                    .fetch_one(&self.pool)
                    .await?;
                Ok::<u64, StoreError>(R(&row, table).int("n")?.max(0) as u64)
            };
            // Transactions from the monthly sums: counting a million rows
            // would read a whole index.
            self.refresh_rollup().await?;
            let row = sqlx::query("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM spend_rollup WHERE user_id = $1")
                .bind(self.user)
                .fetch_one(&self.pool)
                .await?;
            Ok(crate::store::Counts {
                accounts: count("accounts").await?,
                transactions: R(&row, "spend_rollup").int("n")?.max(0) as u64,
                mandates: count("mandates").await?,
                orders: count("orders").await?,
                apple_purchases: count("apple_purchases").await?,
                emails: count("emails").await?,
                receipts: count("receipts").await?,
                documents: count("documents").await?,
                matches: count("matches").await?,
                enrichments: count("enrichments").await?,
            })
        })
    }

    fn emails<'a>(&'a self, after: Option<(&'a str, &'a str)>, limit: u32) -> BoxFuture<'a, Result<Vec<Email>>> {
        Box::pin(async move {
            let mut qb = QueryBuilder::<Db>::new("SELECT * FROM emails WHERE user_id = ");
            qb.push_bind(self.user);
            if let Some((mailbox, message_id)) = after {
                qb.push(" AND (mailbox > ").push_bind(mailbox.to_owned());
                qb.push(" OR (mailbox = ").push_bind(mailbox.to_owned());
                qb.push(" AND message_id > ").push_bind(message_id.to_owned());
                qb.push("))");
            }
            qb.push(" ORDER BY mailbox, message_id LIMIT ").push_bind(i64::from(limit.max(1)));
            let found = qb.build().fetch_all(&self.pool).await?;
            decode(&found, "emails", |r| rows::email(r))
        })
    }

    fn receipts<'a>(&'a self, kind: Option<&'a str>) -> BoxFuture<'a, Result<Vec<Receipt>>> {
        Box::pin(async move {
            let mut qb = QueryBuilder::<Db>::new("SELECT * FROM receipts WHERE user_id = ");
            qb.push_bind(self.user);
            if let Some(kind) = kind {
                qb.push(" AND kind = ").push_bind(kind.to_owned());
            }
            qb.push(" ORDER BY date DESC, mailbox, message_id");
            let found = qb.build().fetch_all(&self.pool).await?;
            decode(&found, "receipts", |r| rows::receipt(r))
        })
    }

    fn documents<'a>(&'a self, email: Option<(&'a str, &'a str)>) -> BoxFuture<'a, Result<Vec<Document>>> {
        Box::pin(async move {
            let mut qb = QueryBuilder::<Db>::new("SELECT * FROM documents WHERE user_id = ");
            qb.push_bind(self.user);
            if let Some((mailbox, message_id)) = email {
                qb.push(" AND mailbox = ").push_bind(mailbox.to_owned());
                qb.push(" AND message_id = ").push_bind(message_id.to_owned());
            }
            qb.push(" ORDER BY mailbox, message_id, part");
            let found = qb.build().fetch_all(&self.pool).await?;
            decode(&found, "documents", |r| rows::document(r))
        })
    }

    fn matches(&self) -> BoxFuture<'_, Result<Vec<Match>>> {
        Box::pin(async move {
            let found = sqlx::query(
                "SELECT * FROM matches WHERE user_id = $1 ORDER BY tx_source, tx_account, tx_id, target_key",
            )
            .bind(self.user)
            .fetch_all(&self.pool)
            .await?;
            decode(&found, "matches", |r| rows::a_match(r))
        })
    }

    fn enrichments(&self) -> BoxFuture<'_, Result<Vec<Enrichment>>> {
        Box::pin(async move {
            let found = sqlx::query(
                "SELECT * FROM enrichments WHERE user_id = $1 ORDER BY tx_source, tx_account, tx_id",
            )
            .bind(self.user)
            .fetch_all(&self.pool)
            .await?;
            decode(&found, "enrichments", |r| rows::enrichment(r))
        })
    }

    fn llm_answers(&self) -> BoxFuture<'_, Result<Vec<(String, String)>>> {
        Box::pin(async move {
            let found = sqlx::query("SELECT cache_key, answer FROM llm_answers WHERE user_id = $1 ORDER BY cache_key")
                .bind(self.user)
                .fetch_all(&self.pool)
                .await?;
            decode(&found, "llm_answers", |r| Ok((r.text("cache_key")?, r.text("answer")?)))
        })
    }

    fn put_llm_answers<'a>(&'a self, answers: &'a [(String, String)]) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            let mut added = 0;
            let now = now_millis();
            for (key, answer) in answers {
                added += sqlx::query(
                    "INSERT INTO llm_answers (user_id, cache_key, answer, created_ms) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (user_id, cache_key) DO NOTHING",
                )
                .bind(self.user)
                .bind(key)
                .bind(answer)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    fn rules(&self) -> BoxFuture<'_, Result<Vec<Rule>>> {
        Box::pin(async move {
            let found = sqlx::query("SELECT * FROM rules WHERE user_id = $1 ORDER BY position, rule_id")
                .bind(self.user)
                .fetch_all(&self.pool)
                .await?;
            decode(&found, "rules", |r| r.json("spec"))
        })
    }

    fn replace_rules<'a>(&'a self, rules: &'a [Rule]) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let mut seen = std::collections::HashSet::new();
            if let Some(twice) = rules.iter().find(|r| !seen.insert(r.id.as_str())) {
                return Err(StoreError::Invalid(format!("two rules are called {:?}", twice.id)));
            }
            let mut tx = self.pool.begin().await?;
            sqlx::query("DELETE FROM rules WHERE user_id = $1")
                .bind(self.user)
                .execute(&mut *tx)
                .await?;
            for (position, rule) in rules.iter().enumerate() {
                sqlx::query("INSERT INTO rules (user_id, rule_id, position, spec) VALUES ($1, $2, $3, $4)")
                    .bind(self.user)
                    .bind(&rule.id)
                    .bind(position as i64)
                    .bind(serde_json::to_string(rule).map_err(|e| StoreError::Invalid(format!("rule {:?}: {e}", rule.id)))?)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn put_connection<'a>(&'a self, c: &'a Connection) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO connections (user_id, provider, name, status, settings, updated_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, provider, name) DO UPDATE \
                 SET status = excluded.status, settings = excluded.settings, updated_ms = excluded.updated_ms",
            )
            .bind(self.user)
            .bind(&c.provider)
            .bind(&c.name)
            .bind(c.status.as_str())
            .bind(rows::json_text(&c.settings))
            .bind(now_millis())
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn connections(&self) -> BoxFuture<'_, Result<Vec<Connection>>> {
        Box::pin(async move {
            let found = sqlx::query("SELECT * FROM connections WHERE user_id = $1 ORDER BY provider, name")
                .bind(self.user)
                .fetch_all(&self.pool)
                .await?;
            decode(&found, "connections", |r| rows::connection(r))
        })
    }

    fn secret<'a>(&'a self, provider: &'a str, name: &'a str, key: &'a str) -> BoxFuture<'a, Result<Option<StoredSecret>>> {
        Box::pin(async move {
            let found = sqlx::query(
                "SELECT ciphertext, version FROM secrets WHERE user_id = $1 AND provider = $2 AND name = $3 AND key = $4",
            )
            .bind(self.user)
            .bind(provider)
            .bind(name)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
            found
                .as_ref()
                .map(|row| {
                    let r = R(row, "secrets");
                    Ok(StoredSecret {
                        ciphertext: r.text("ciphertext")?,
                        version: r.int("version")?,
                    })
                })
                .transpose()
        })
    }

    fn put_secret<'a>(
        &'a self,
        provider: &'a str,
        name: &'a str,
        key: &'a str,
        ciphertext: &'a str,
        expected: Option<i64>,
    ) -> BoxFuture<'a, Result<i64>> {
        Box::pin(async move {
            let what = || format!("secret {key} of {provider} connection {name:?}");
            let written: Option<i64> = match expected {
                None => {
                    let exists: Option<i64> = sqlx::query_scalar(
                        "SELECT CAST(1 AS BIGINT) FROM connections WHERE user_id = $1 AND provider = $2 AND name = $3",
                    )
                    .bind(self.user)
                    .bind(provider)
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await?;
                    if exists.is_none() {
                        return Err(StoreError::NotFound(format!("{provider} connection {name:?}")));
                    }
                    sqlx::query_scalar(
                        "INSERT INTO secrets (user_id, provider, name, key, ciphertext, version, updated_ms) \
                         VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (user_id, provider, name, key) DO NOTHING \
                         RETURNING version",
                    )
                    .bind(self.user)
                    .bind(provider)
                    .bind(name)
                    .bind(key)
                    .bind(ciphertext)
                    .bind(now_millis())
                    .fetch_optional(&self.pool)
                    .await?
                }
                Some(version) => {
                    sqlx::query_scalar(
                        "UPDATE secrets SET ciphertext = $1, version = version + 1, updated_ms = $2 \
                         WHERE user_id = $3 AND provider = $4 AND name = $5 AND key = $6 AND version = $7 \
                         RETURNING version",
                    )
                    .bind(ciphertext)
                    .bind(now_millis())
                    .bind(self.user)
                    .bind(provider)
                    .bind(name)
                    .bind(key)
                    .bind(version)
                    .fetch_optional(&self.pool)
                    .await?
                }
            };
            written.ok_or_else(|| StoreError::Conflict {
                what: what(),
                expected,
            })
        })
    }

    fn take_allowance<'a>(&'a self, key: &'a str, day: time::Date, limit: i64) -> BoxFuture<'a, Result<Option<i64>>> {
        Box::pin(async move {
            if limit < 1 {
                return Ok(None);
            }
            Ok(sqlx::query_scalar(
                "INSERT INTO allowances (user_id, key, day, used) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (user_id, key, day) DO UPDATE SET used = allowances.used + 1 \
                 WHERE allowances.used < $4 RETURNING used",
            )
            .bind(self.user)
            .bind(key)
            .bind(rows::format_date(day))
            .bind(limit)
            .fetch_optional(&self.pool)
            .await?)
        })
    }

    fn checkpoint<'a>(&'a self, source: &'a str) -> BoxFuture<'a, Result<Option<Checkpoint>>> {
        Box::pin(async move {
            let found = sqlx::query("SELECT * FROM checkpoints WHERE user_id = $1 AND source = $2")
                .bind(self.user)
                .bind(source)
                .fetch_optional(&self.pool)
                .await?;
            found.as_ref().map(|r| rows::checkpoint(&R(r, "checkpoints"))).transpose()
        })
    }

    fn record_sync_run<'a>(&'a self, run: &'a SyncRun) -> BoxFuture<'a, Result<i64>> {
        Box::pin(async move {
            let summary = rows::json_text(&run.summary);
            if run.id == 0 {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO sync_runs (user_id, source, started_ms, finished_ms, status, summary) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(self.user)
                .bind(&run.source)
                .bind(millis(run.started_at))
                .bind(run.finished_at.map(millis))
                .bind(&run.status)
                .bind(summary)
                .fetch_one(&self.pool)
                .await?;
                return Ok(id);
            }
            let updated = sqlx::query(
                "UPDATE sync_runs SET finished_ms = $1, status = $2, summary = $3 WHERE id = $4 AND user_id = $5",
            )
            .bind(run.finished_at.map(millis))
            .bind(&run.status)
            .bind(summary)
            .bind(run.id)
            .bind(self.user)
            .execute(&self.pool)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!("sync run {}", run.id)));
            }
            Ok(run.id)
        })
    }

    fn sync_runs(&self, limit: u32) -> BoxFuture<'_, Result<Vec<SyncRun>>> {
        Box::pin(async move {
            let found = sqlx::query("SELECT * FROM sync_runs WHERE user_id = $1 ORDER BY id DESC LIMIT $2")
                .bind(self.user)
                .bind(i64::from(limit.max(1)))
                .fetch_all(&self.pool)
                .await?;
            decode(&found, "sync_runs", |r| rows::sync_run(r))
        })
    }
}
