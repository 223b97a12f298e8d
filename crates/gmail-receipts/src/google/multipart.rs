//! `multipart/mixed` as Gmail's batch endpoint reads and writes it: parts of
//! `application/http`, each named by a `Content-ID`. The client reads
//! responses with it and the simulator reads requests.

/// One part: its id and the HTTP message inside it.
#[derive(Debug)]
pub(crate) struct Part {
    /// The `Content-ID`, without `<>` and a `response-` prefix.
    pub content_id: Option<String>,
    /// The embedded message's first line: a request line or a status line.
    pub start_line: String,
    /// The embedded message's body.
    pub body: Vec<u8>,
}

impl Part {
    /// The status of an embedded response (`HTTP/1.1 404 Not Found`); 0 when unreadable.
    pub fn status(&self) -> u16 {
        self.start_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

/// The `boundary` parameter of a `multipart/mixed` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits a block at its first blank line into (headers, body).
fn split_head(block: &[u8]) -> (&[u8], &[u8]) {
    match (find(block, b"\r\n\r\n"), find(block, b"\n\n")) {
        (Some(a), Some(b)) if b < a => (&block[..b], &block[b + 2..]),
        (Some(a), _) => (&block[..a], &block[a + 4..]),
        (None, Some(b)) => (&block[..b], &block[b + 2..]),
        (None, None) => (block, &[]),
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The parts of a multipart body.
pub(crate) fn parse(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let end = find(rest, delimiter.as_bytes()).unwrap_or(rest.len());
        let block = &rest[..end];
        let (outer_head, inner) = split_head(block.trim_ascii_start());
        let outer_head = String::from_utf8_lossy(outer_head);
        let (inner_head, inner_body) = split_head(inner);
        let start_line = String::from_utf8_lossy(inner_head)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        parts.push(Part {
            content_id: header(&outer_head, "content-id").map(|v| {
                v.trim_matches(|c| c == '<' || c == '>')
                    .trim_start_matches("response-")
                    .to_owned()
            }),
            start_line,
            body: inner_body.trim_ascii_end().to_vec(),
        });
        rest = &rest[end..];
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_read_from_a_google_style_response() {
        let body = b"--batch_xyz\r\nContent-Type: application/http\r\nContent-ID: <response-item-1>\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{\"error\":{\"code\":404}}\r\n--batch_xyz\r\nContent-Type: application/http\r\nContent-ID: <response-item-0>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"id\":\"a\"}\r\n--batch_xyz--\r\n";
        assert_eq!(
            boundary("multipart/mixed; boundary=\"batch_xyz\"").as_deref(),
            Some("batch_xyz")
        );
        let parts = parse(body, "batch_xyz");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].content_id.as_deref(), Some("item-1"));
        assert_eq!(parts[0].status(), 404);
        assert_eq!(parts[0].body, b"{\"error\":{\"code\":404}}");
        assert_eq!(parts[1].status(), 200);
        assert_eq!(parts[1].body, b"{\"id\":\"a\"}");
    }

    #[test]
    fn request_parts_keep_their_request_line() {
        let body = b"--b\r\nContent-Type: application/http\r\nContent-ID: <item-0>\r\n\r\nGET /gmail/v1/users/me/messages/a?format=raw\r\n\r\n--b--\r\n";
        let parts = parse(body, "b");
        assert_eq!(
            parts[0].start_line,
            "GET /gmail/v1/users/me/messages/a?format=raw"
        );
        assert!(parts[0].body.is_empty());
    }
}
