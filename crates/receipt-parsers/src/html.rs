//! HTML to text, keeping the layout receipts rely on: table rows and blocks
//! become lines, cells are separated by spaces, entities are decoded.

/// Tags after which a line ends.
const BLOCK: &[&str] = &[
    "p", "div", "tr", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tbody", "thead",
    "ul", "ol", "section", "header", "footer", "hr", "title",
];
/// Tags whose content is not text.
const SKIP: &[&str] = &["script", "style", "head"];

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "nbsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "pound" => '£',
        "euro" => '€',
        "yen" => '¥',
        "cent" => '¢',
        "times" => '×',
        "middot" => '·',
        "bull" => '•',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "zwnj" | "zwj" | "shy" => '\u{200b}',
        _ => return None,
    })
}

/// The text of `html`, a line per block and table row.
///
/// ```
/// let text = receipt_parsers::html::to_text("<table><tr><td>Total</td><td>&pound;9.99</td></tr></table><p>Order&nbsp;#12</p>");
/// assert_eq!(text, "Total £9.99\nOrder #12");
/// let unclosed_head = "<html><head><title>x</title><body><p>Total £1</p></body></head></html>";
/// assert_eq!(receipt_parsers::html::to_text(unclosed_head), "Total £1");
/// ```
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    let mut skipping: Option<String> = None;
    while let Some(lt) = rest.find('<') {
        if skipping.is_none() {
            push_text(&mut out, &rest[..lt]);
        }
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else { break };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(skipped) = &skipping {
            // A head left open ends where the body starts.
            let body_starts = skipped == "head" && !closing && name == "body";
            if (closing && name == *skipped) || body_starts {
                skipping = None;
            }
            continue;
        }
        if !closing && SKIP.contains(&name.as_str()) && !tag.ends_with('/') {
            skipping = Some(name);
            continue;
        }
        if BLOCK.contains(&name.as_str()) {
            if !out.ends_with('\n') && !out.is_empty() {
                out.push('\n');
            }
        } else if (name == "td" || name == "th") && !out.ends_with(['\n', ' ']) && !out.is_empty() {
            out.push(' ');
        }
    }
    if skipping.is_none() {
        push_text(&mut out, rest);
    }
    // Each line's words once, separated by one space; empty lines dropped.
    let mut text = String::with_capacity(out.len());
    for line in out.lines() {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { continue };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(first);
        for word in words {
            text.push(' ');
            text.push_str(word);
        }
    }
    text
}

fn push_text(out: &mut String, raw: &str) {
    // Copy runs between entities in bulk; source line breaks are spaces in HTML.
    let mut rest = raw;
    while !rest.is_empty() {
        let run = rest.find('&').unwrap_or(rest.len());
        let (plain, tail) = rest.split_at(run);
        if plain.contains(['\n', '\r', '\t']) {
            out.extend(
                plain
                    .chars()
                    .map(|c| if c.is_whitespace() { ' ' } else { c }),
            );
        } else {
            out.push_str(plain);
        }
        rest = tail;
        if rest.is_empty() {
            break;
        }
        // An entity's `;` is within a few bytes: looking further makes a
        // page of bare `&`s quadratic.
        let decoded = rest.as_bytes()[1..]
            .iter()
            .take(11)
            .position(|b| *b == b';')
            .and_then(|end| Some((entity(rest.get(1..1 + end)?)?, end)));
        match decoded {
            Some((c, end)) => {
                if c != '\u{200b}' {
                    out.push(c);
                }
                rest = &rest[end + 2..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
}
