//! Dates as receipts write them, in English, German, French, Spanish and Italian,
//! in the day/month order of the sender's locale.

use std::sync::LazyLock;

use regex::Regex;
use time::{Date, Month};

const MONTHS: &[(&str, u8)] = &[
    ("january", 1),
    ("jan", 1),
    ("januar", 1),
    ("janvier", 1),
    ("enero", 1),
    ("gennaio", 1),
    ("jänner", 1),
    ("february", 2),
    ("feb", 2),
    ("februar", 2),
    ("février", 2),
    ("fevrier", 2),
    ("febrero", 2),
    ("febbraio", 2),
    ("march", 3),
    ("mar", 3),
    ("märz", 3),
    ("maerz", 3),
    ("mars", 3),
    ("marzo", 3),
    ("mär", 3),
    ("april", 4),
    ("apr", 4),
    ("avril", 4),
    ("abril", 4),
    ("aprile", 4),
    ("may", 5),
    ("mai", 5),
    ("mayo", 5),
    ("maggio", 5),
    ("june", 6),
    ("jun", 6),
    ("juni", 6),
    ("juin", 6),
    ("junio", 6),
    ("giugno", 6),
    ("july", 7),
    ("jul", 7),
    ("juli", 7),
    ("juillet", 7),
    ("julio", 7),
    ("luglio", 7),
    ("august", 8),
    ("aug", 8),
    ("août", 8),
    ("aout", 8),
    ("agosto", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("septembre", 9),
    ("septiembre", 9),
    ("settembre", 9),
    ("october", 10),
    ("oct", 10),
    ("oktober", 10),
    ("okt", 10),
    ("octobre", 10),
    ("octubre", 10),
    ("ottobre", 10),
    ("november", 11),
    ("nov", 11),
    ("novembre", 11),
    ("noviembre", 11),
    ("december", 12),
    ("dec", 12),
    ("dezember", 12),
    ("dez", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("diciembre", 12),
    ("dicembre", 12),
];

fn month(name: &str) -> Option<u8> {
    let name = name.trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(m, _)| *m == name).map(|(_, n)| *n)
}

static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:de\s+)?([A-Za-zÀ-ÿ]{3,10}\.?)\s+(?:de\s+)?(\d{4})(?-u:\b)").expect("compiles")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)([A-Za-z]{3,9}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?-u:\b)")
        .expect("compiles")
});
/// `Sat Jan 10 12:44:36 2015` (C's `ctime`, as Steam writes it).
static CTIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)([A-Za-z]{3})\s+(\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2})?\s+(\d{4})(?-u:\b)",
    )
    .expect("compiles")
});
static ISO: LazyLock<Regex> = LazyLock::new(|| {
    // `2014-09-08`, `2014/09/08` (Japan, China), `2014年9月8日`.
    Regex::new(r"(?-u:\b)(\d{4})(?:-(\d{2})-(\d{2})(?:(?-u:\b)|T)|/(\d{1,2})/(\d{1,2})(?-u:\b)|\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?日)")
        .expect("compiles")
});
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(\d{1,2})[./](\d{1,2})[./](\d{2,4})(?-u:\b)").expect("compiles")
});

fn date(year: i32, month: u8, day: u8) -> Option<Date> {
    let year = if year < 100 { 2000 + year } else { year };
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// The first date in `text`. Numeric dates (`03/04/2024`) are read day first
/// unless `day_first` is false (US senders).
///
/// ```
/// use receipt_parsers::dates::find;
/// let d = |s, day_first| find(s, day_first).map(|d| d.to_string());
/// assert_eq!(d("Order placed: 12 March 2024", true).as_deref(), Some("2024-03-12"));
/// assert_eq!(d("Ordered on March 12, 2024", false).as_deref(), Some("2024-03-12"));
/// assert_eq!(d("Bestelldatum: 12. März 2024", true).as_deref(), Some("2024-03-12"));
/// assert_eq!(d("le 5 juillet 2024", true).as_deref(), Some("2024-07-05"));
/// assert_eq!(d("5 de julio de 2024", true).as_deref(), Some("2024-07-05"));
/// assert_eq!(d("Date: 03/04/2024", true).as_deref(), Some("2024-04-03"));
/// assert_eq!(d("Date: 03/04/2024", false).as_deref(), Some("2024-03-04"));
/// assert_eq!(d("2024-11-02T10:00:00Z", true).as_deref(), Some("2024-11-02"));
/// assert_eq!(d("Date confirmed: Sat Jan 10 12:44:36 2015", true).as_deref(), Some("2015-01-10"));
/// assert_eq!(d("no date here", true), None);
/// ```
pub fn find(text: &str, day_first: bool) -> Option<Date> {
    let mut best: Option<(usize, Date)> = None;
    let mut consider = |at: usize, found: Option<Date>| {
        if let Some(d) = found
            && best.is_none_or(|(b, _)| at < b)
        {
            best = Some((at, d));
        }
    };
    for c in DAY_MONTH_YEAR.captures_iter(text) {
        let found = (|| date(c[3].parse().ok()?, month(&c[2])?, c[1].parse().ok()?))();
        consider(c.get(0).map_or(0, |m| m.start()), found);
        if found.is_some() {
            break;
        }
    }
    for c in MONTH_DAY_YEAR.captures_iter(text) {
        let found = (|| date(c[3].parse().ok()?, month(&c[1])?, c[2].parse().ok()?))();
        consider(c.get(0).map_or(0, |m| m.start()), found);
        if found.is_some() {
            break;
        }
    }
    if let Some(c) = CTIME.captures(text) {
        consider(
            c.get(0).map_or(0, |m| m.start()),
            (|| date(c[3].parse().ok()?, month(&c[1])?, c[2].parse().ok()?))(),
        );
    }
    if let Some(c) = ISO.captures(text) {
        consider(
            c.get(0).map_or(0, |m| m.start()),
            (|| {
                let part = |a: usize, b: usize, d: usize| {
                    c.get(a).or(c.get(b)).or(c.get(d))?.as_str().parse().ok()
                };
                date(c[1].parse().ok()?, part(2, 4, 6)?, part(3, 5, 7)?)
            })(),
        );
    }
    if let Some(c) = NUMERIC.captures(text) {
        let (a, b): (u8, u8) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0));
        let (day, month) = if day_first { (a, b) } else { (b, a) };
        consider(
            c.get(0).map_or(0, |m| m.start()),
            (|| date(c[3].parse().ok()?, month, day))(),
        );
    }
    best.map(|(_, d)| d)
}
