//! Dates for the `date` filter and Jekyll's date filters: the forms pages and front
//! matter write (`2024-03-01`, `2024-03-01 10:00:00 +0100`, ISO 8601, a Unix time,
//! `now`), formatted with Ruby's `strftime` directives.

use serde_json::Value;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::value::to_text;

/// `{{ x | date: "%Y" }}`: an unreadable date or an empty format leaves the input as it is.
pub(crate) fn date_filter(input: &Value, format: &Value) -> Result<Value, String> {
    let format = to_text(format);
    if format.is_empty() || input.is_null() {
        return Ok(input.clone());
    }
    match parse(input) {
        Some(date) => Ok(Value::String(strftime(&date, &format))),
        None => Ok(input.clone()),
    }
}

pub(crate) fn parse(input: &Value) -> Option<OffsetDateTime> {
    match input {
        Value::Number(n) => OffsetDateTime::from_unix_timestamp(n.as_f64()? as i64).ok(),
        Value::String(s) => parse_text(s.trim()),
        _ => None,
    }
}

fn parse_text(s: &str) -> Option<OffsetDateTime> {
    if s.eq_ignore_ascii_case("now") || s.eq_ignore_ascii_case("today") {
        return Some(OffsetDateTime::now_utc());
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return OffsetDateTime::from_unix_timestamp(s.parse().ok()?).ok();
    }
    // YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][ ?(Z|+HH:MM|+HHMM)]
    let b = s.as_bytes();
    let num = |a: usize, n: usize| -> Option<i32> { s.get(a..a + n)?.parse().ok() };
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        let date =
            Date::from_calendar_date(num(0, 4)?, Month::try_from(num(5, 2)? as u8).ok()?, num(8, 2)? as u8).ok()?;
        let mut rest = s[10..].trim_start_matches(['T', ' ']);
        let mut t = Time::MIDNIGHT;
        // `get`, not indexing: the bytes after a colon may be inside a character.
        if rest.len() >= 5 && rest.as_bytes()[2] == b':' {
            let h: u8 = rest.get(0..2)?.parse().ok()?;
            let m: u8 = rest.get(3..5)?.parse().ok()?;
            let mut sec = 0u8;
            rest = &rest[5..];
            if rest.starts_with(':') && rest.len() >= 3 {
                sec = rest.get(1..3)?.parse().ok()?;
                rest = &rest[3..];
                if rest.starts_with('.') {
                    rest = rest[1..].trim_start_matches(|c: char| c.is_ascii_digit());
                }
            }
            t = Time::from_hms(h, m, sec).ok()?;
        }
        let offset = parse_offset(rest.trim())?;
        return Some(PrimitiveDateTime::new(date, t).assume_offset(offset));
    }
    // "1 March 2024", "March 1, 2024", "Mar 1 2024"
    let words: Vec<&str> = s.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    let month = words.iter().find_map(|w| month_named(w))?;
    let numbers: Vec<i32> = words.iter().filter_map(|w| w.parse().ok()).collect();
    let (day, year) = match numbers.as_slice() {
        [a, b, ..] if *a > 31 => (*b, *a),
        [a, b, ..] => (*a, *b),
        _ => return None,
    };
    let date = Date::from_calendar_date(year, month, day as u8).ok()?;
    Some(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc())
}

fn parse_offset(text: &str) -> Option<UtcOffset> {
    if text.is_empty() || text == "Z" || text == "UTC" || text == "GMT" {
        return Some(UtcOffset::UTC);
    }
    let sign = match text.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return Some(UtcOffset::UTC),
    };
    let digits: String = text[1..].chars().filter(char::is_ascii_digit).collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i8>().ok()?, 0),
        4 => (digits[..2].parse::<i8>().ok()?, digits[2..].parse::<i8>().ok()?),
        _ => return Some(UtcOffset::UTC),
    };
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

fn month_named(word: &str) -> Option<Month> {
    let w = word.to_ascii_lowercase();
    let names = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let i = names.iter().position(|n| w.starts_with(n))?;
    Month::try_from(i as u8 + 1).ok()
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// Ruby's `strftime`, for the directives pages use (flags `-`, `0`, `^` and `_`).
pub(crate) fn strftime(d: &OffsetDateTime, format: &str) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flag = None;
        while let Some(&f) = chars.peek() {
            if matches!(f, '-' | '0' | '^' | '_' | '#' | ':') {
                flag = Some(f);
                chars.next();
            } else {
                break;
            }
        }
        let Some(directive) = chars.next() else {
            out.push('%');
            break;
        };
        let num = |n: i64, width: usize| -> String {
            match flag {
                Some('-') => n.to_string(),
                Some('_') => format!("{n:>width$}"),
                _ => format!("{n:0width$}"),
            }
        };
        let month = d.month() as usize - 1;
        let weekday = d.weekday().number_days_from_sunday() as usize;
        let hour12 = match d.hour() % 12 {
            0 => 12,
            h => h,
        };
        let text = match directive {
            'Y' => d.year().to_string(),
            'C' => num(i64::from(d.year() / 100), 2),
            'y' => num(i64::from(d.year() % 100), 2),
            'm' => num(i64::from(d.month() as u8), 2),
            'B' => MONTHS[month].to_string(),
            'b' | 'h' => MONTHS[month][..3].to_string(),
            'd' => num(i64::from(d.day()), 2),
            'e' => match flag {
                Some('-') => d.day().to_string(),
                _ => format!("{:>2}", d.day()),
            },
            'j' => num(i64::from(d.ordinal()), 3),
            'H' => num(i64::from(d.hour()), 2),
            'k' => format!("{:>2}", d.hour()),
            'I' => num(i64::from(hour12), 2),
            'l' => match flag {
                Some('-') => hour12.to_string(),
                _ => format!("{hour12:>2}"),
            },
            'M' => num(i64::from(d.minute()), 2),
            'S' => num(i64::from(d.second()), 2),
            'L' => format!("{:03}", d.millisecond()),
            'N' => format!("{:09}", d.nanosecond()),
            'p' => if d.hour() < 12 { "AM" } else { "PM" }.to_string(),
            'P' => if d.hour() < 12 { "am" } else { "pm" }.to_string(),
            'A' => DAYS[weekday].to_string(),
            'a' => DAYS[weekday][..3].to_string(),
            'u' => d.weekday().number_from_monday().to_string(),
            'w' => weekday.to_string(),
            'z' => {
                let (h, m, _) = d.offset().as_hms();
                let sign = if d.offset().is_negative() { '-' } else { '+' };
                let colon = if flag == Some(':') { ":" } else { "" };
                format!("{sign}{:02}{colon}{:02}", h.abs(), m.abs())
            }
            'Z' => {
                if d.offset().is_utc() {
                    "UTC".to_string()
                } else {
                    String::new()
                }
            }
            's' => d.unix_timestamp().to_string(),
            'U' => num(i64::from((d.ordinal() as i64 + 6 - weekday as i64) as u16 / 7), 2),
            'W' => num((i64::from(d.ordinal()) + 6 - ((weekday as i64 + 6) % 7)) / 7, 2),
            'G' => d.to_iso_week_date().0.to_string(),
            'g' => num(i64::from(d.to_iso_week_date().0 % 100), 2),
            'V' => num(i64::from(d.iso_week()), 2),
            'D' | 'x' => strftime(d, "%m/%d/%y"),
            'F' => strftime(d, "%Y-%m-%d"),
            'T' | 'X' => strftime(d, "%H:%M:%S"),
            'R' => strftime(d, "%H:%M"),
            'r' => strftime(d, "%I:%M:%S %p"),
            'c' => strftime(d, "%a %b %e %H:%M:%S %Y"),
            'v' => strftime(d, "%e-%^b-%Y"),
            'n' => "\n".into(),
            't' => "\t".into(),
            '%' => "%".into(),
            other => format!("%{other}"),
        };
        match flag {
            Some('^') => out.push_str(&text.to_uppercase()),
            // `#` swaps case: names become capitals, `%p` lower case.
            Some('#') if directive == 'p' => out.push_str(&text.to_lowercase()),
            Some('#') => out.push_str(&text.to_uppercase()),
            _ => out.push_str(&text),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_jekyll_pages_write() {
        let d = parse(&Value::String("2024-03-05 14:07:09 +0100".into())).unwrap();
        assert_eq!(strftime(&d, "%-d %B %Y, %H:%M:%S %z %a %j"), "5 March 2024, 14:07:09 +0100 Tue 065");
        let d = parse(&Value::String("2024-03-05".into())).unwrap();
        assert_eq!(strftime(&d, "%d %b %y %e|%I %p"), "05 Mar 24  5|12 AM");
    }

    /// Found by the liquid fuzz target: a letter of two bytes where the minutes belong
    /// was sliced through the middle.
    #[test]
    fn a_time_with_a_character_beyond_ascii_is_not_a_date() {
        for text in ["2020-06-15 14:3\u{410}h400", "2020-06-15 14:30:\u{410}"] {
            assert_eq!(parse(&Value::String(text.into())), None, "{text}");
        }
    }
}
