//! Domain matching on label boundaries.

/// Whether `host` is `domain` or a subdomain of it, on a label boundary:
/// `email.amazon.co.uk` matches `amazon.co.uk`; `notamazon.co.uk`,
/// `amazon.co.uk.evil.com`, `mail.alibaba.com` (for `ba.com`) and `deli.me`
/// (for `li.me`) do not.
///
/// ```
/// use receipt_parsers::domain::matches;
/// assert!(matches("email.amazon.co.uk", "amazon.co.uk"));
/// assert!(matches("AMAZON.CO.UK", "amazon.co.uk"));
/// assert!(!matches("notamazon.co.uk", "amazon.co.uk"));
/// assert!(!matches("notamazon.co.uk.evil.com", "amazon.co.uk"));
/// assert!(!matches("mail.alibaba.com", "ba.com"));
/// assert!(!matches("deli.me", "li.me"));
/// ```
pub fn matches(host: &str, domain: &str) -> bool {
    // Bytes, not chars: a hostile From domain need not be ASCII or end on a char boundary.
    let host = host.trim_end_matches('.').as_bytes();
    let domain = domain.as_bytes();
    if host.len() < domain.len() {
        return false;
    }
    let (head, tail) = host.split_at(host.len() - domain.len());
    tail.eq_ignore_ascii_case(domain) && (head.is_empty() || head.ends_with(b"."))
}

/// The domain part of an email address, lower case.
pub fn of_address(address: &str) -> Option<String> {
    let at = address.rfind('@')?;
    let domain = address[at + 1..]
        .trim()
        .trim_end_matches('>')
        .to_ascii_lowercase();
    (!domain.is_empty()).then_some(domain)
}

/// Whether two domains belong to the same organisation: one is a label-boundary
/// suffix of the other, beyond a public suffix (two labels, three for `co.uk`-style ones).
pub fn aligned(a: &str, b: &str) -> bool {
    let org = |d: &str| {
        let labels: Vec<&str> = d.split('.').collect();
        let take = if labels.len() >= 3
            && matches!(
                labels[labels.len() - 2],
                "co" | "com" | "org" | "net" | "ac" | "gov"
            ) {
            3
        } else {
            2
        };
        labels[labels.len().saturating_sub(take)..]
            .join(".")
            .to_ascii_lowercase()
    };
    org(a) == org(b)
}
