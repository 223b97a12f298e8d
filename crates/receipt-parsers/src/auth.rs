//! Sender authentication: is the From domain really who sent the message?
//!
//! Only the `Authentication-Results` header that the person's own receiving
//! server added counts: the topmost one (each server adds its own above the
//! others), and, when the authserv-id to trust is known (`mx.google.com`
//! for mail read from Gmail), only if it carries that id. Headers lower
//! down were written by whoever sent or relayed the message: a spoofed mail
//! may carry a forged `dmarc=pass` below the real verdict.
//!
//! The header is read as RFC 8601 says: comments in parentheses (which may
//! hold `;`) and quoted strings, folded lines, `header.d`, `header.i` and
//! `header.from` properties, several results per method.

use crate::domain::{aligned, matches};
use crate::message::Email;

/// Whose `Authentication-Results` count.
///
/// ```
/// use receipt_parsers::auth::Trust;
/// let gmail = Trust::authserv_ids(["mx.google.com"]);
/// assert!(gmail.trusts("mx.google.com"));
/// assert!(!gmail.trusts("mx.attacker.example"));
/// assert!(Trust::Topmost.trusts("anything"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Trust {
    /// The topmost header, whatever server wrote it (mail exports, whose
    /// receiving server is not known).
    #[default]
    Topmost,
    /// The topmost header, only when its authserv-id is one of these
    /// (compared without case).
    AuthServIds(Vec<String>),
}

impl Trust {
    /// Trusts only headers from these authserv-ids.
    pub fn authserv_ids<S: Into<String>>(ids: impl IntoIterator<Item = S>) -> Trust {
        Trust::AuthServIds(ids.into_iter().map(Into::into).collect())
    }

    /// Whether a header from `authserv_id` counts.
    pub fn trusts(&self, authserv_id: &str) -> bool {
        match self {
            Trust::Topmost => true,
            Trust::AuthServIds(ids) => ids.iter().any(|i| i.eq_ignore_ascii_case(authserv_id)),
        }
    }
}

/// One `Authentication-Results` header, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthResults {
    /// The server that wrote it.
    pub authserv_id: String,
    /// Its results, in order (none for `none`).
    pub results: Vec<MethodResult>,
}

/// One method's result: `dkim=pass header.d=example.com`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodResult {
    /// The method, lower case (`dkim`, `dmarc`, `spf`, `arc`).
    pub method: String,
    /// The result, lower case (`pass`, `fail`, `none`, ...).
    pub result: String,
    /// `ptype.property` and value pairs (`header.d`, `example.com`), the
    /// names lower case.
    pub properties: Vec<(String, String)>,
}

impl MethodResult {
    /// The value of `property` (`header.d`), if given.
    pub fn property(&self, property: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(p, _)| p == property)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses an `Authentication-Results` header's value (RFC 8601 section
/// 2.2): `None` when it names no authserv-id.
///
/// ```
/// use receipt_parsers::auth::parse_results;
/// let header = "mx.google.com;\r\n       dkim=pass (2048-bit key; unprotected) header.i=@amazon.co.uk header.s=a1 header.b=\"x;y\";\r\n       dmarc=pass (p=QUARANTINE sp=NONE dis=NONE) header.from=amazon.co.uk";
/// let parsed = parse_results(header).unwrap();
/// assert_eq!(parsed.authserv_id, "mx.google.com");
/// assert_eq!(parsed.results.len(), 2);
/// assert_eq!(parsed.results[0].property("header.i"), Some("@amazon.co.uk"));
/// assert_eq!(parsed.results[1].property("header.from"), Some("amazon.co.uk"));
/// ```
pub fn parse_results(value: &str) -> Option<AuthResults> {
    let clauses = clauses(&tokens(value));
    let mut clauses = clauses.into_iter();
    let authserv_id = clauses.next()?.into_iter().next()?;
    let mut results = Vec::new();
    for clause in clauses {
        let mut words = clause.into_iter();
        let Some(first) = words.next() else { continue };
        let Some((method, result)) = first.split_once('=') else {
            // `none`: no method was applied.
            continue;
        };
        let method = method.split('/').next().unwrap_or(method);
        let properties = words
            .filter_map(|w| {
                let (name, value) = w.split_once('=')?;
                Some((name.to_ascii_lowercase(), value.to_owned()))
            })
            .collect();
        results.push(MethodResult {
            method: method.to_ascii_lowercase(),
            result: result.to_ascii_lowercase(),
            properties,
        });
    }
    Some(AuthResults {
        authserv_id,
        results,
    })
}

/// A word, or the `;` between clauses.
#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    Semicolon,
}

/// The header's words with comments dropped, quoted strings unquoted, and
/// `name = value` joined into one word (`name=value`).
fn tokens(value: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut word = String::new();
    let mut chars = value.chars().peekable();
    let mut joining = false;
    let flush = |word: &mut String, out: &mut Vec<Token>, joining: &mut bool| {
        if word.is_empty() {
            return;
        }
        let taken = std::mem::take(word);
        match out.last_mut() {
            Some(Token::Word(last))
                if *joining || last.ends_with('=') || taken.starts_with('=') =>
            {
                last.push_str(&taken);
            }
            _ => out.push(Token::Word(taken)),
        }
        *joining = false;
    };
    while let Some(c) = chars.next() {
        match c {
            '(' => {
                // A comment, which may nest and hold `;` or quotes.
                flush(&mut word, &mut out, &mut joining);
                let mut depth = 1;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            '"' => {
                // A quoted value belongs to the word before it (`header.b="..."`).
                joining = word.is_empty()
                    && matches!(out.last(), Some(Token::Word(w)) if w.ends_with('='));
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                word.push(escaped);
                            }
                        }
                        '"' => break,
                        _ => word.push(c),
                    }
                }
                if word.is_empty() {
                    // `x=""`: an empty value still ends the word.
                    word.push('\u{0}');
                    flush(&mut word, &mut out, &mut joining);
                    if let Some(Token::Word(last)) = out.last_mut() {
                        last.pop();
                    }
                }
            }
            ';' => {
                flush(&mut word, &mut out, &mut joining);
                out.push(Token::Semicolon);
            }
            c if c.is_whitespace() => flush(&mut word, &mut out, &mut joining),
            '=' => {
                flush(&mut word, &mut out, &mut joining);
                match out.last_mut() {
                    Some(Token::Word(last)) => last.push('='),
                    _ => out.push(Token::Word("=".into())),
                }
            }
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out, &mut joining);
    out
}

/// The words of each `;`-separated clause.
fn clauses(tokens: &[Token]) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    for token in tokens {
        match token {
            Token::Semicolon => out.push(Vec::new()),
            Token::Word(w) => out.last_mut().map(|c| c.push(w.clone())).unwrap_or(()),
        }
    }
    out.retain(|c| !c.is_empty());
    out
}

/// Whether the From domain is authenticated, by the topmost
/// `Authentication-Results` header, trusting every receiving server.
/// See [`sender_verified_by`].
pub fn sender_verified(email: &Email) -> Option<bool> {
    sender_verified_by(email, &Trust::Topmost)
}

/// Reads the topmost `Authentication-Results` header when `trust` trusts
/// the server that wrote it: `Some(true)` when DMARC passed for the From
/// domain, or (without a DMARC verdict) DKIM or SPF passed for a domain
/// aligned with it; `Some(false)` when DMARC failed or nothing aligned passed;
/// `None` ("unknown") when there is no such header, its server is not
/// trusted, or it applied no method.
///
/// A message whose authentication failed never gets a vendor parser: a
/// spoofed "Amazon" mail is not given Amazon's trust.
pub fn sender_verified_by(email: &Email, trust: &Trust) -> Option<bool> {
    let topmost = email.auth_results.as_ref()?.first()?;
    let results = parse_results(topmost)?;
    if !trust.trusts(&results.authserv_id) || results.results.is_empty() {
        return None;
    }
    let from = email.from_domain.as_deref()?;
    let domain = |value: &str| {
        value
            .trim()
            .rsplit('@')
            .next()
            .unwrap_or(value)
            .to_ascii_lowercase()
    };
    let about_from = |r: &MethodResult| {
        let about = r
            .property("header.from")
            .map_or_else(|| from.to_owned(), domain);
        matches(from, &about) || aligned(from, &about)
    };
    let dmarc: Vec<&str> = results
        .results
        .iter()
        .filter(|r| r.method == "dmarc" && about_from(r))
        .map(|r| r.result.as_str())
        .collect();
    if dmarc.contains(&"fail") {
        return Some(false);
    }
    if dmarc.contains(&"pass") {
        return Some(true);
    }
    // As DMARC would: DKIM for an aligned domain, or SPF for an aligned
    // envelope sender (a spoofer cannot send from the domain's servers).
    let aligned_pass = results.results.iter().any(|r| {
        let signer = match r.method.as_str() {
            "dkim" => r.property("header.d").or_else(|| r.property("header.i")),
            "spf" => r.property("smtp.mailfrom"),
            _ => None,
        };
        r.result == "pass" && signer.is_some_and(|d| aligned(from, &domain(d)))
    });
    Some(aligned_pass)
}
