// Grouped sums of money (`UserStore::spend`), shared by both backends like
// `backend.rs` (included after it). Whole months are read from the monthly
// sums in `spend_rollup`, brought up to date first for the months that
// writes marked stale; the days of a month a period cuts are summed from the
// transactions themselves.

/// What each grouping selects and groups by, over the transactions.
fn transaction_groups(groups: &[Grouping]) -> Vec<(&'static str, &'static str)> {
    groups
        .iter()
        .map(|g| match g {
            Grouping::Month => ("month", "month"),
            Grouping::Category => (CATEGORY, CATEGORY),
            Grouping::Merchant => (MERCHANT, MERCHANT),
            Grouping::Account => ("account_id", "account_id"),
            Grouping::Essential => (ESSENTIAL, "essential"),
            Grouping::Direction => (
                "CASE WHEN amount_minor < 0 THEN 'out' ELSE 'in' END",
                "CASE WHEN amount_minor < 0 THEN 'out' ELSE 'in' END",
            ),
        })
        .collect()
}

const ESSENTIAL: &str = "CASE essential WHEN 1 THEN 'essential' WHEN 0 THEN 'discretionary' ELSE '' END";

/// A transaction's sign, as the monthly sums keep it.
const SIGN: &str = "CASE WHEN amount_minor < 0 THEN -1 WHEN amount_minor > 0 THEN 1 ELSE 0 END";

fn first_of_month(day: time::Date) -> bool {
    day.day() == 1
}

fn last_of_month(day: time::Date) -> bool {
    (day + time::Duration::days(1)).day() == 1
}

fn start_of_month(day: time::Date) -> time::Date {
    day - time::Duration::days(i64::from(day.day()) - 1)
}

fn end_of_month(mut day: time::Date) -> time::Date {
    while !last_of_month(day) {
        day += time::Duration::days(1);
    }
    day
}

fn month_of(day: time::Date) -> String {
    rows::format_date(day)[..7].to_owned()
}

fn spend_row(r: &R<'_>, keys: usize) -> Result<SpendRow> {
    Ok(SpendRow {
        keys: (0..keys).map(|i| r.text(&format!("g{i}"))).collect::<Result<_>>()?,
        currency: r.text("currency")?,
        total_minor: r.int("total")?,
        count: r.int("n")?,
    })
}

impl Scoped {
    async fn sum_spend(&self, q: &SpendQuery) -> Result<Vec<SpendRow>> {
        let mut out = Vec::new();
        // The whole months of the period come from the monthly sums; the
        // days of a month it cuts, from the transactions.
        let mut cuts = Vec::new();
        let (mut first_month, mut last_month) = (q.from.map(month_of), q.to.map(month_of));
        let mut whole_months = true;
        match (q.from, q.to) {
            (Some(from), Some(to)) if from > to => return Ok(out),
            (Some(from), Some(to)) if month_of(from) == month_of(to) => {
                if !(first_of_month(from) && last_of_month(to)) {
                    cuts.push((from, to));
                    whole_months = false;
                }
            }
            (from, to) => {
                if let Some(from) = from.filter(|d| !first_of_month(*d)) {
                    let end = end_of_month(from);
                    cuts.push((from, end));
                    first_month = Some(month_of(end + time::Duration::days(1)));
                }
                if let Some(to) = to.filter(|d| !last_of_month(*d)) {
                    let start = start_of_month(to);
                    cuts.push((start, to));
                    last_month = Some(month_of(start - time::Duration::days(1)));
                }
                if let (Some(a), Some(b)) = (&first_month, &last_month) {
                    whole_months = a <= b;
                }
            }
        }
        for (from, to) in cuts {
            out.extend(self.sum_transactions(q, from, to).await?);
        }
        if whole_months {
            self.refresh_rollup().await?;
            out.extend(self.sum_rollup(q, first_month, last_month).await?);
        }
        // One order on every backend (they sort NULLs and text differently),
        // and the parts (and groups split by an added index column) folded.
        out.sort_by(|a, b| a.keys.cmp(&b.keys).then_with(|| a.currency.cmp(&b.currency)));
        out.dedup_by(|next, kept| {
            let same = next.keys == kept.keys && next.currency == kept.currency;
            if same {
                kept.total_minor += next.total_minor;
                kept.count += next.count;
            }
            same
        });
        Ok(out)
    }

    /// Recomputes the months that writes marked stale since the last time,
    /// from the report index, in one transaction (on Postgres under a lock
    /// per user, so that two summaries never recompute a month twice).
    async fn refresh_rollup(&self) -> Result<()> {
        let stale = sqlx::query("SELECT month FROM spend_rollup_stale WHERE user_id = $1 LIMIT 1")
            .bind(self.user)
            .fetch_optional(&self.pool)
            .await?;
        if stale.is_none() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        if let Some(lock) = ROLLUP_LOCK {
            sqlx::query(lock).bind(self.user).execute(&mut *tx).await?;
        }
        let marked = sqlx::query("DELETE FROM spend_rollup_stale WHERE user_id = $1 RETURNING month")
            .bind(self.user)
            .fetch_all(&mut *tx)
            .await?;
        let mut months = decode(&marked, "spend_rollup_stale", |r| r.text("month"))?;
        months.sort();
        months.dedup();
        for chunk in months.chunks(200) {
            let mut delete = QueryBuilder::<Db>::new("DELETE FROM spend_rollup WHERE user_id = ");
            delete.push_bind(self.user).push(" AND month IN (");
            let mut list = delete.separated(", ");
            for m in chunk {
                list.push_bind(m.clone());
            }
            delete.push(")");
            delete.build().execute(&mut *tx).await?;
            let mut insert = QueryBuilder::<Db>::new(format!(
                "INSERT INTO spend_rollup (user_id, month, report_category, essential, currency, account_id, report_merchant, sign, total, n) \
                 SELECT user_id, month, report_category, essential, currency, account_id, report_merchant, {SIGN}, \
                 CAST(SUM(amount_minor) AS BIGINT), COUNT(*) FROM transactions WHERE user_id = "
            ));
            insert.push_bind(self.user).push(" AND month IN (");
            let mut list = insert.separated(", ");
            for m in chunk {
                list.push_bind(m.clone());
            }
            insert.push(format!(
                ") GROUP BY user_id, month, report_category, essential, currency, account_id, report_merchant, {SIGN}"
            ));
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sums whole months (`from`..=`to`, `YYYY-MM`) from the monthly sums.
    async fn sum_rollup(&self, q: &SpendQuery, from: Option<String>, to: Option<String>) -> Result<Vec<SpendRow>> {
        let exprs: Vec<&str> = q
            .group_by
            .iter()
            .map(|g| match g {
                Grouping::Month => "month",
                Grouping::Category => CATEGORY,
                Grouping::Merchant => MERCHANT,
                Grouping::Account => "account_id",
                Grouping::Essential => ESSENTIAL,
                Grouping::Direction => "CASE WHEN sign < 0 THEN 'out' ELSE 'in' END",
            })
            .collect();
        let mut select = String::from("SELECT ");
        for (i, e) in exprs.iter().enumerate() {
            select.push_str(&format!("{e} AS g{i}, "));
        }
        select.push_str("currency, CAST(SUM(total) AS BIGINT) AS total, CAST(SUM(n) AS BIGINT) AS n FROM spend_rollup WHERE user_id = ");
        let mut qb = QueryBuilder::<Db>::new(select);
        qb.push_bind(self.user);
        if let Some(from) = from {
            qb.push(" AND month >= ").push_bind(from);
        }
        if let Some(to) = to {
            qb.push(" AND month <= ").push_bind(to);
        }
        if q.outgoing_only {
            qb.push(" AND sign < 0");
        }
        if q.incoming_only {
            qb.push(" AND sign > 0");
        }
        let mut group: Vec<&str> = exprs.clone();
        group.push("currency");
        qb.push(format!(" GROUP BY {}", group.join(", ")));
        let found = qb.build().fetch_all(&self.pool).await?;
        decode(&found, "spend_rollup", |r| spend_row(r, exprs.len()))
    }

    /// Sums the transactions of the days `from`..=`to` (a cut month).
    async fn sum_transactions(&self, q: &SpendQuery, from: time::Date, to: time::Date) -> Result<Vec<SpendRow>> {
        let exprs = transaction_groups(&q.group_by);
        let mut select = String::from("SELECT ");
        for (i, (e, _)) in exprs.iter().enumerate() {
            select.push_str(&format!("{e} AS g{i}, "));
        }
        select.push_str("currency, CAST(SUM(amount_minor) AS BIGINT) AS total, COUNT(*) AS n FROM transactions WHERE user_id = ");
        let mut qb = QueryBuilder::<Db>::new(select);
        qb.push_bind(self.user);
        // Months first (the report index's second column), then the days.
        qb.push(" AND month >= ").push_bind(month_of(from));
        qb.push(" AND month <= ").push_bind(month_of(to));
        qb.push(" AND date >= ").push_bind(rows::format_date(from));
        qb.push(" AND date <= ").push_bind(rows::format_date(to));
        if q.outgoing_only {
            qb.push(" AND amount_minor < 0");
        }
        if q.incoming_only {
            qb.push(" AND amount_minor > 0");
        }
        let mut group: Vec<&str> = exprs.iter().map(|(_, g)| *g).collect();
        group.push("currency");
        qb.push(format!(" GROUP BY {}", group.join(", ")));
        let found = qb.build().fetch_all(&self.pool).await?;
        decode(&found, "transactions", |r| spend_row(r, exprs.len()))
    }
}
