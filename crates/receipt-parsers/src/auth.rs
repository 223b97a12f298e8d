//! Sender authentication: is the From domain really who sent the message?

use crate::domain::{aligned, matches};
use crate::message::Email;

/// Reads `Authentication-Results` (and ARC's): `Some(true)` when DMARC passed
/// for the From domain, or DKIM passed for a domain aligned with it;
/// `Some(false)` when DMARC or the aligned DKIM failed, or nothing aligned
/// passed; `None` when the message carries no results at all.
///
/// A message whose authentication failed never gets a vendor parser: a
/// spoofed "Amazon" mail is not given Amazon's trust.
pub fn sender_verified(email: &Email) -> Option<bool> {
    let results = email.auth_results.as_ref()?;
    let from = email.from_domain.as_deref()?;
    let mut passed = false;
    let mut failed = false;
    for result in results {
        for clause in result.split(';').map(str::trim) {
            let lower = clause.to_ascii_lowercase();
            let verdict = |method: &str| -> Option<&str> {
                let rest = lower.strip_prefix(method)?.trim_start();
                let rest = rest.strip_prefix('=')?;
                Some(rest.split_whitespace().next().unwrap_or(""))
            };
            let domain_of = |key: &str| -> Option<String> {
                let at = lower.find(key)? + key.len();
                let value = lower[at..]
                    .split(|c: char| c.is_whitespace() || c == ';')
                    .next()?;
                Some(
                    value
                        .trim_start_matches('@')
                        .rsplit('@')
                        .next()
                        .unwrap_or(value)
                        .to_owned(),
                )
            };
            if let Some(v) = verdict("dmarc") {
                let about = domain_of("header.from=").unwrap_or_else(|| from.to_owned());
                if matches(from, &about) || aligned(from, &about) {
                    match v {
                        "pass" => passed = true,
                        "fail" => failed = true,
                        _ => {}
                    }
                }
            } else if let Some(v) = verdict("dkim") {
                let signer = domain_of("header.d=").or_else(|| domain_of("header.i="));
                let is_aligned = signer.as_deref().is_some_and(|d| aligned(from, d));
                match (v, is_aligned) {
                    ("pass", true) => passed = true,
                    ("fail", true) => failed = true,
                    _ => {}
                }
            }
        }
    }
    Some(passed && !failed)
}
