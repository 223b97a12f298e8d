//! The report as one self-contained HTML file.

use super::Report;

const TEMPLATE: &str = include_str!("report.html");

/// Fills the template: the report's JSON where the data goes (with `<`
/// escaped so no text can close the script element), its title HTML-escaped.
pub(super) fn render(report: &Report) -> String {
    // Serialising plain data cannot fail.
    let json = serde_json::to_string(report)
        .unwrap_or_else(|_| "null".to_owned())
        .replace('<', "\\u003c");
    let title = report
        .title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    TEMPLATE
        .replacen("__SPEND_REPORT_TITLE__", &title, 1)
        .replacen("__SPEND_REPORT_DATA__", &json, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_has_one_place_for_each() {
        assert_eq!(TEMPLATE.matches("__SPEND_REPORT_DATA__").count(), 1);
        assert_eq!(TEMPLATE.matches("__SPEND_REPORT_TITLE__").count(), 1);
        for external in [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "url(http",
            "@import",
            "fetch(",
        ] {
            assert!(
                !TEMPLATE.contains(external),
                "the report fetches nothing: {external}"
            );
        }
    }
}
