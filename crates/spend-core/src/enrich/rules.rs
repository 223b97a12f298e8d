//! Whether a person's rule fits a transaction, and rules written on one line.

use crate::model::{Direction, Rule, RuleAction, RuleCondition, Transaction};

use super::EnrichError;

/// Whether every condition of `rule` holds for `tx`, whose merchant (as
/// [`merchant_name`](super::merchant_name) gives it) is `merchant`.
///
/// ```
/// use spend_core::enrich::{fits, parse_rule};
/// use spend_core::model::{Money, Transaction};
/// let rule = parse_rule("rent", "description~LANDLORD direction=out", "category=Housing essential=yes")?;
/// let tx = Transaction::new("truelayer", "acc-1", "t1", time::macros::date!(2026 - 03 - 01),
///     Money::parse("-950.00", "GBP")?, "SO LANDLORD J SMITH");
/// assert!(fits(&rule, &tx, None));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fits(rule: &Rule, tx: &Transaction, merchant: Option<&str>) -> bool {
    let w = &rule.when;
    let size = tx.amount.minor().unsigned_abs();
    w.description
        .as_deref()
        .is_none_or(|d| contains_folded(&tx.description, d))
        && w.merchant.as_deref().is_none_or(|m| {
            [merchant, tx.merchant.as_deref()]
                .into_iter()
                .flatten()
                .any(|have| have.trim().eq_ignore_ascii_case(m.trim()))
        })
        && w.min_minor.is_none_or(|min| size >= min.unsigned_abs())
        && w.max_minor.is_none_or(|max| size <= max.unsigned_abs())
        && w.account.as_deref().is_none_or(|a| a == tx.account_id)
        && w.direction.is_none_or(|d| match d {
            Direction::In => tx.amount.minor() > 0,
            Direction::Out => tx.amount.minor() < 0,
        })
}

fn contains_folded(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// A rule from two lines of `name=value` pairs separated by spaces (values
/// with spaces in double quotes): the conditions and the actions.
///
/// Conditions: `description~TEXT` (contains), `merchant=NAME`,
/// `amount>=10.00`, `amount<=50`, `amount=10..50` (the amount's size, in
/// major units with up to two decimals), `account=ID`, `direction=in|out`.
/// Actions: `category=NAME`, `merchant=NAME`, `essential=yes|no`, `tag=NAME`
/// (repeatable).
///
/// ```
/// use spend_core::enrich::parse_rule;
/// let rule = parse_rule("coffee", r#"merchant="Pret A Manger" amount=1..10"#, "category=\"Eating out\" essential=no tag=treats")?;
/// assert_eq!(rule.when.merchant.as_deref(), Some("Pret A Manger"));
/// assert_eq!((rule.when.min_minor, rule.when.max_minor), (Some(100), Some(1000)));
/// assert_eq!(rule.then.tags, ["treats"]);
/// assert!(parse_rule("bad", "amount=lots", "category=X").is_err());
/// # Ok::<(), spend_core::enrich::EnrichError>(())
/// ```
pub fn parse_rule(id: &str, when: &str, then: &str) -> Result<Rule, EnrichError> {
    let bad = |detail: String| EnrichError::Rule {
        rule: id.to_owned(),
        detail,
    };
    if id.trim().is_empty() {
        return Err(bad("a rule needs a name".into()));
    }
    let mut condition = RuleCondition::default();
    for (name, op, value) in pairs(when).map_err(&bad)? {
        match (name.as_str(), op) {
            ("description", '~' | '=') => condition.description = Some(value),
            ("merchant", '=') => condition.merchant = Some(value),
            ("account", '=') => condition.account = Some(value),
            ("direction", '=') => {
                condition.direction = Some(match value.to_lowercase().as_str() {
                    "in" => Direction::In,
                    "out" => Direction::Out,
                    other => return Err(bad(format!("direction is `in` or `out`, not {other:?}"))),
                })
            }
            ("amount", '=') => {
                let (lo, hi) = value
                    .split_once("..")
                    .ok_or_else(|| bad(format!("amount=LOW..HIGH, not {value:?}")))?;
                condition.min_minor = Some(minor(lo).map_err(&bad)?);
                condition.max_minor = Some(minor(hi).map_err(&bad)?);
            }
            ("amount", '>') => condition.min_minor = Some(minor(&value).map_err(&bad)?),
            ("amount", '<') => condition.max_minor = Some(minor(&value).map_err(&bad)?),
            (other, _) => return Err(bad(format!("unknown condition {other:?}"))),
        }
    }
    if condition == RuleCondition::default() {
        return Err(bad("a rule needs at least one condition".into()));
    }
    let mut action = RuleAction::default();
    for (name, op, value) in pairs(then).map_err(&bad)? {
        match (name.as_str(), op) {
            ("category", '=') => action.category = Some(value),
            ("merchant", '=') => action.merchant = Some(value),
            ("essential", '=') => {
                action.essential = Some(match value.to_lowercase().as_str() {
                    "yes" | "true" | "essential" => true,
                    "no" | "false" | "discretionary" => false,
                    other => return Err(bad(format!("essential is `yes` or `no`, not {other:?}"))),
                })
            }
            ("tag", '=') => action.tags.push(value),
            (other, _) => return Err(bad(format!("unknown action {other:?}"))),
        }
    }
    if action == RuleAction::default() {
        return Err(bad("a rule needs at least one action".into()));
    }
    Ok(Rule {
        id: id.trim().to_owned(),
        when: condition,
        then: action,
    })
}

/// `name<op>value` items: op is `=`, `~`, `>` (`>=`) or `<` (`<=`).
fn pairs(text: &str) -> Result<impl Iterator<Item = (String, char, String)>, String> {
    let mut out = Vec::new();
    for item in words(text)? {
        let at = item
            .find(['=', '~', '>', '<'])
            .ok_or_else(|| format!("{item:?} is not name=value"))?;
        let name = item[..at].trim().to_lowercase();
        let op = item[at..].chars().next().unwrap_or('=');
        let value = item[at + 1..].trim_start_matches('=').trim().to_owned();
        if name.is_empty() || value.is_empty() {
            return Err(format!("{item:?} is not name=value"));
        }
        out.push((name, op, value));
    }
    Ok(out.into_iter())
}

/// Splits on spaces outside double quotes, and drops the quotes.
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if quoted {
        return Err(format!("an unclosed quote in {text:?}"));
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

/// `12.5` -> 1250 (two decimals: rules hold amounts in minor units of a
/// two-decimal currency; more decimals are refused, never rounded).
fn minor(text: &str) -> Result<i64, String> {
    let value: rust_decimal::Decimal = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not an amount"))?;
    let scaled = value * rust_decimal::Decimal::ONE_HUNDRED;
    if !scaled.fract().is_zero() {
        return Err(format!("{text:?} has more than two decimals"));
    }
    i64::try_from(scaled.trunc()).map_err(|_| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Money;
    use time::macros::date;

    fn tx(amount: &str, description: &str) -> Transaction {
        Transaction::new(
            "truelayer",
            "acc-1",
            "t",
            date!(2026 - 03 - 01),
            Money::parse(amount, "GBP").unwrap(),
            description,
        )
    }

    #[test]
    fn every_condition_must_hold() {
        let rule = parse_rule(
            "r",
            "description~tesco amount=10..50 direction=out account=acc-1",
            "category=Groceries",
        )
        .unwrap();
        assert!(fits(&rule, &tx("-34.50", "TESCO STORES 2041"), None));
        assert!(
            !fits(&rule, &tx("-64.50", "TESCO STORES 2041"), None),
            "too large"
        );
        assert!(
            !fits(&rule, &tx("34.50", "TESCO STORES 2041"), None),
            "money in"
        );
        assert!(!fits(&rule, &tx("-34.50", "ASDA"), None), "another shop");
        let mut elsewhere = tx("-34.50", "TESCO STORES 2041");
        elsewhere.account_id = "card-2".into();
        assert!(!fits(&rule, &elsewhere, None), "another account");
    }

    #[test]
    fn merchant_conditions_see_the_normalised_name() {
        let rule = parse_rule("r", "merchant=amazon", "category=Shopping").unwrap();
        assert!(fits(&rule, &tx("-9.99", "AMZNMKTPLACE"), Some("Amazon")));
        assert!(!fits(&rule, &tx("-9.99", "AMZNMKTPLACE"), None));
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        for (when, then, says) in [
            ("", "category=X", "at least one condition"),
            ("description~x", "", "at least one action"),
            ("colour=red", "category=X", "unknown condition"),
            ("amount>1.005", "category=X", "more than two decimals"),
            ("direction=sideways", "category=X", "`in` or `out`"),
            (r#"merchant="Pret"#, "category=X", "unclosed quote"),
            ("description~x", "essential=maybe", "`yes` or `no`"),
        ] {
            let err = parse_rule("r", when, then).unwrap_err().to_string();
            assert!(err.contains(says), "{when} / {then}: {err}");
        }
    }
}

/// Where [`put_rule`] put a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RulePlaced {
    /// Its position, from 1 (rules apply in order; the first that fits decides).
    pub position: usize,
    /// Whether it replaced a rule of the same name.
    pub replaced: bool,
}

/// Stores `rule` among the person's rules: in place of the rule of the same
/// name (keeping its position unless `position` is given), else at
/// `position` (from 1), else last.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use spend_core::enrich::{parse_rule, put_rule};
/// use spend_core::store::{SqliteStore, Store};
/// let store = SqliteStore::in_memory().await?;
/// let me = store.user(store.ensure_user("me").await?);
/// put_rule(me.as_ref(), parse_rule("rent", "description~RENT", "category=Housing")?, None).await?;
/// let placed = put_rule(me.as_ref(), parse_rule("coffee", "merchant=Pret", "category=Coffee")?, Some(1)).await?;
/// assert_eq!((placed.position, placed.replaced), (1, false));
/// let again = put_rule(me.as_ref(), parse_rule("rent", "description~RENT", "category=Rent")?, None).await?;
/// assert_eq!((again.position, again.replaced), (2, true));
/// # Ok(()) }
/// ```
pub async fn put_rule(
    user: &dyn crate::store::UserStore,
    rule: Rule,
    position: Option<usize>,
) -> Result<RulePlaced, crate::store::StoreError> {
    let mut rules = user.rules().await?;
    let existing = rules.iter().position(|r| r.id == rule.id);
    if let Some(at) = existing {
        rules.remove(at);
    }
    let index = position
        .map(|p| p.saturating_sub(1))
        .or(existing)
        .unwrap_or(rules.len())
        .min(rules.len());
    rules.insert(index, rule);
    user.replace_rules(&rules).await?;
    Ok(RulePlaced {
        position: index + 1,
        replaced: existing.is_some(),
    })
}
