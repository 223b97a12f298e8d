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
    organisation(a).eq_ignore_ascii_case(organisation(b))
}

/// The registrable domain: the public suffix and one label before it
/// (`email.amazon.co.uk` is `amazon.co.uk`; second-level suffixes such as
/// `co.uk`, `com.au` are known by their `co`/`com`/`org`/... label).
fn organisation(domain: &str) -> &str {
    let domain = domain.trim_end_matches('.');
    let labels: Vec<&str> = domain.split('.').collect();
    let take = if labels.len() >= 3
        && matches!(
            labels[labels.len() - 2],
            "co" | "com" | "org" | "net" | "ac" | "gov" | "ne" | "or"
        ) {
        3
    } else {
        2
    };
    let skip: usize = labels[..labels.len().saturating_sub(take)]
        .iter()
        .map(|l| l.len() + 1)
        .sum();
    &domain[skip..]
}

/// The name of the organisation behind a sender's domain: its registrable
/// domain's first label (`seetickets` for `mail.seetickets.com`), lower
/// case; `None` for a bare suffix or a name that is not a hostname label.
///
/// ```
/// use receipt_parsers::domain::registrable_name;
/// assert_eq!(registrable_name("donotreply.seetickets.com"), Some("seetickets"));
/// assert_eq!(registrable_name("email.amazon.co.uk"), Some("amazon"));
/// assert_eq!(registrable_name("uber.com"), Some("uber"));
/// assert_eq!(registrable_name("co.uk"), None);
/// assert_eq!(registrable_name("gmail.com"), None, "a person's mailbox");
/// ```
pub fn registrable_name(domain: &str) -> Option<&str> {
    let org = organisation(domain);
    let name = org.split('.').next()?;
    let is_label = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let personal = PERSONAL_MAIL.contains(&org);
    (is_label && !personal && org.contains('.') && !matches!(name, "co" | "com" | "org" | "net"))
        .then_some(name)
}

/// Mailbox providers: mail from them is a person's (a forward), never a vendor's.
const PERSONAL_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "msn.com",
    "yahoo.com",
    "yahoo.co.uk",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "email.com",
    "fastmail.com",
    "zoho.com",
    "yandex.ru",
    "qq.com",
    "163.com",
];

/// Hosts that serve mail's images, links and tracking for everyone: never
/// the name of who sent it.
const INFRASTRUCTURE: &[&str] = &[
    "cloudfront.net",
    "amazonaws.com",
    "akamaihd.net",
    "akamai.net",
    "fastly.net",
    "mandrillapp.com",
    "sendgrid.net",
    "sendgrid.com",
    "mailchimp.com",
    "list-manage.com",
    "mcusercontent.com",
    "mailgun.org",
    "sparkpostmail.com",
    "exacttarget.com",
    "movable-ink-2183.com",
    "awstrack.me",
    "orderlyemails.com",
    "llnwd.net",
    "akamaized.net",
    "cloudinary.com",
    "imgix.net",
    "scene7.com",
    "shopify.com",
    "shopifycdn.com",
    "myshopify.com",
    "klaviyo.com",
    "klaviyomail.com",
    "hubspotemail.net",
    "hs-sites.com",
    "exct.net",
    "mcsv.net",
    "rs6.net",
    "emltrk.com",
    "litmus.com",
    "safelinks.protection.outlook.com",
    "urldefense.com",
    "bit.ly",
    "app.link",
    "schema.org",
    "w3.org",
    "google.com",
    "googleapis.com",
    "gstatic.com",
    "googleusercontent.com",
    "doubleclick.net",
    "facebook.com",
    "twitter.com",
    "x.com",
    "instagram.com",
    "linkedin.com",
    "licdn.com",
    "youtube.com",
    "pinterest.com",
    "tiktok.com",
    "example.com",
];

/// The organisation the links and addresses of a message without headers
/// name most (mail infrastructure, social networks and personal mailboxes
/// aside): `oneplus` for an order page linking to `oneplus.net`.
///
/// ```
/// use receipt_parsers::domain::most_linked_name;
/// let html = r#"<img src="https://d1.cloudfront.net/a.png"><a href="https://www.oneplus.net/orders">x</a> <a href="mailto:support@oneplus.net">help</a>"#;
/// assert_eq!(most_linked_name(html).as_deref(), Some("oneplus"));
/// ```
pub fn most_linked_name(html: &str) -> Option<String> {
    most_linked(html).map(|(name, _)| name)
}

/// The organisation most linked in `html` and one host of it
/// (`("galaxus", "www.galaxus.ch")`): the host's country tells the
/// currency of a body saved without its sender.
///
/// ```
/// use receipt_parsers::domain::most_linked;
/// let html = r#"<img src="https://static.shop-cdn.ch/a.png"><a href="https://www.galaxus.ch/o">x</a>"#;
/// assert_eq!(most_linked(html), Some(("galaxus".to_owned(), "www.galaxus.ch".to_owned())));
/// ```
pub fn most_linked(html: &str) -> Option<(String, String)> {
    /// Hosts that serve a mail's images and files, often on a company
    /// domain other than the shop's (`static.digitecgalaxus.ch`).
    const ASSETS: &[&str] = &["static.", "cdn.", "img.", "images.", "assets.", "media."];
    let lower = html.to_ascii_lowercase();
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for host in crate::vendors::linked_hosts(&lower) {
        if INFRASTRUCTURE.iter().any(|d| matches(host, d))
            || ASSETS.iter().any(|a| host.starts_with(a))
        {
            continue;
        }
        let Some(name) = registrable_name(host) else {
            continue;
        };
        match counts.iter_mut().find(|(n, _, _)| *n == name) {
            Some((_, _, c)) => *c += 1,
            None => counts.push((name, host, 1)),
        }
    }
    // The most named; the first named among equals.
    counts
        .iter()
        .fold(
            None,
            |best: Option<(&str, &str, usize)>, (n, h, c)| match best {
                Some((_, _, b)) if b >= *c => best,
                _ => Some((n, h, *c)),
            },
        )
        .map(|(n, h, _)| (n.to_owned(), h.to_owned()))
}
