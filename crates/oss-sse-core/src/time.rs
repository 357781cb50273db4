//! Time values as OSS writes them: the RFC 1123 `Date` header (`Wed, 28 Dec 2022 10:27:41 GMT`) and the
//! ISO 8601 basic form of V4 (`20231216T162057Z`), converted from and to unix seconds by pure arithmetic.
//!
//! There is deliberately no clock here: callers pass the time in, which keeps signing deterministic.

use std::fmt;

/// Seconds since the unix epoch (UTC). The whole crate takes time as this value; nothing reads a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A time string that is not in the expected format, or a date outside the supported range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {format} time: {value:?}")]
pub struct TimeParseError {
    /// Which format was expected (`RFC 1123` or `ISO 8601 basic`).
    pub format: &'static str,
    /// The offending text (truncated to 64 characters).
    pub value: String,
}

const DAY_NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// Years 1..=9999 keep every format at a fixed width and every sum far from overflow.
const MIN_YEAR: i64 = 1;
const MAX_YEAR: i64 = 9999;

/// A broken-down UTC date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// Year (1..=9999).
    pub year: i64,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of the month, 1..=31.
    pub day: u32,
    /// Hour, 0..=23.
    pub hour: u32,
    /// Minute, 0..=59.
    pub minute: u32,
    /// Second, 0..=59.
    pub second: u32,
}

impl Timestamp {
    /// The earliest representable instant (0001-01-01T00:00:00Z).
    pub const MIN: Timestamp = Timestamp(-62_135_596_800);
    /// The latest representable instant (9999-12-31T23:59:59Z).
    pub const MAX: Timestamp = Timestamp(253_402_300_799);

    /// Wraps unix seconds, clamped to the representable range (years 1 to 9999).
    pub fn from_unix(seconds: i64) -> Timestamp {
        Timestamp(seconds.clamp(Self::MIN.0, Self::MAX.0))
    }

    /// Unix seconds.
    pub fn unix(self) -> i64 {
        self.0
    }

    /// This instant plus `seconds` (saturating at the representable range).
    pub fn add_seconds(self, seconds: i64) -> Timestamp {
        Timestamp::from_unix(self.0.saturating_add(seconds))
    }

    /// The broken-down UTC date and time.
    pub fn to_datetime(self) -> DateTime {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month,
            day,
            hour: (secs / 3600) as u32,
            minute: (secs % 3600 / 60) as u32,
            second: (secs % 60) as u32,
        }
    }

    /// Builds a timestamp from a broken-down UTC time, or `None` if any field is out of range.
    pub fn from_datetime(dt: DateTime) -> Option<Timestamp> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&dt.year)
            || !(1..=12).contains(&dt.month)
            || dt.day < 1
            || dt.day > days_in_month(dt.year, dt.month)
            || dt.hour > 23
            || dt.minute > 59
            || dt.second > 59
        {
            return None;
        }
        let days = days_from_civil(dt.year, dt.month, dt.day);
        Some(Timestamp(
            days * 86_400
                + i64::from(dt.hour) * 3600
                + i64::from(dt.minute) * 60
                + i64::from(dt.second),
        ))
    }

    /// `Wed, 28 Dec 2022 10:27:41 GMT`, the form of the `Date` header and of V1 signing.
    pub fn to_rfc1123(self) -> String {
        // Written by hand rather than with format!: this runs once per signed request.
        let dt = self.to_datetime();
        let weekday = self.0.div_euclid(86_400).rem_euclid(7) as usize;
        let mut s = String::with_capacity(29);
        s.push_str(DAY_NAMES[weekday]);
        s.push_str(", ");
        push_digits(&mut s, dt.day, 2);
        s.push(' ');
        s.push_str(MONTH_NAMES[(dt.month - 1) as usize]);
        s.push(' ');
        push_digits(&mut s, dt.year as u32, 4);
        s.push(' ');
        push_digits(&mut s, dt.hour, 2);
        s.push(':');
        push_digits(&mut s, dt.minute, 2);
        s.push(':');
        push_digits(&mut s, dt.second, 2);
        s.push_str(" GMT");
        s
    }

    /// Parses `Wed, 28 Dec 2022 10:27:41 GMT`. The day name must be a valid English abbreviation and match
    /// the date; `GMT` or `UTC` is accepted as the zone, and a single-digit day is tolerated.
    pub fn parse_rfc1123(s: &str) -> Result<Timestamp, TimeParseError> {
        let err = || TimeParseError {
            format: "RFC 1123",
            value: s.chars().take(64).collect(),
        };
        let (weekday, rest) = s.split_once(", ").ok_or_else(err)?;
        let mut parts = rest.split(' ');
        let day = parts.next().ok_or_else(err)?;
        let month = parts.next().ok_or_else(err)?;
        let year = parts.next().ok_or_else(err)?;
        let clock = parts.next().ok_or_else(err)?;
        let zone = parts.next().ok_or_else(err)?;
        if parts.next().is_some() || !(zone == "GMT" || zone == "UTC") {
            return Err(err());
        }
        let day = parse_digits(day, 1, 2).ok_or_else(err)?;
        let month = MONTH_NAMES
            .iter()
            .position(|m| *m == month)
            .ok_or_else(err)? as u32
            + 1;
        let year = parse_digits(year, 4, 4).ok_or_else(err)?;
        let mut hms = clock.split(':');
        let hour = hms
            .next()
            .and_then(|v| parse_digits(v, 2, 2))
            .ok_or_else(err)?;
        let minute = hms
            .next()
            .and_then(|v| parse_digits(v, 2, 2))
            .ok_or_else(err)?;
        let second = hms
            .next()
            .and_then(|v| parse_digits(v, 2, 2))
            .ok_or_else(err)?;
        if hms.next().is_some() {
            return Err(err());
        }
        let ts = Timestamp::from_datetime(DateTime {
            year: i64::from(year),
            month,
            day,
            hour,
            minute,
            second,
        })
        .ok_or_else(err)?;
        let expected_weekday = DAY_NAMES[ts.0.div_euclid(86_400).rem_euclid(7) as usize];
        if weekday != expected_weekday {
            return Err(err());
        }
        Ok(ts)
    }

    /// `20231216T162057Z`, the V4 `x-oss-date` form.
    pub fn to_iso8601_basic(self) -> String {
        let dt = self.to_datetime();
        let mut s = String::with_capacity(16);
        push_digits(&mut s, dt.year as u32, 4);
        push_digits(&mut s, dt.month, 2);
        push_digits(&mut s, dt.day, 2);
        s.push('T');
        push_digits(&mut s, dt.hour, 2);
        push_digits(&mut s, dt.minute, 2);
        push_digits(&mut s, dt.second, 2);
        s.push('Z');
        s
    }

    /// `20231216`, the date of the V4 credential scope.
    pub fn to_yyyymmdd(self) -> String {
        let dt = self.to_datetime();
        let mut s = String::with_capacity(8);
        push_digits(&mut s, dt.year as u32, 4);
        push_digits(&mut s, dt.month, 2);
        push_digits(&mut s, dt.day, 2);
        s
    }

    /// `2023-12-16T16:20:57.000Z`, the `LastModified` / `CreationDate` form of OSS XML documents.
    pub fn to_iso8601_millis(self) -> String {
        let dt = self.to_datetime();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
            dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second
        )
    }

    /// Parses `2023-12-16T16:20:57Z` or `2023-12-16T16:20:57.123Z` (fractional seconds are dropped).
    pub fn parse_iso8601_extended(s: &str) -> Result<Timestamp, TimeParseError> {
        let err = || TimeParseError {
            format: "ISO 8601",
            value: s.chars().take(64).collect(),
        };
        let body = s.strip_suffix('Z').ok_or_else(err)?;
        let (main, frac) = match body.split_once('.') {
            Some((m, f)) => (m, Some(f)),
            None => (body, None),
        };
        if let Some(f) = frac {
            if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
        }
        let b = main.as_bytes();
        if b.len() != 19
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(err());
        }
        let num = |range: std::ops::Range<usize>| {
            main.get(range)
                .and_then(|v| parse_digits(v, v.len(), v.len()))
                .ok_or_else(err)
        };
        Timestamp::from_datetime(DateTime {
            year: i64::from(num(0..4)?),
            month: num(5..7)?,
            day: num(8..10)?,
            hour: num(11..13)?,
            minute: num(14..16)?,
            second: num(17..19)?,
        })
        .ok_or_else(err)
    }

    /// Parses `20231216T162057Z` (exactly 16 characters).
    pub fn parse_iso8601_basic(s: &str) -> Result<Timestamp, TimeParseError> {
        let err = || TimeParseError {
            format: "ISO 8601 basic",
            value: s.chars().take(64).collect(),
        };
        let b = s.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return Err(err());
        }
        let num = |range: std::ops::Range<usize>| {
            s.get(range)
                .and_then(|v| parse_digits(v, v.len(), v.len()))
                .ok_or_else(err)
        };
        Timestamp::from_datetime(DateTime {
            year: i64::from(num(0..4)?),
            month: num(4..6)?,
            day: num(6..8)?,
            hour: num(9..11)?,
            minute: num(11..13)?,
            second: num(13..15)?,
        })
        .ok_or_else(err)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso8601_basic())
    }
}

/// Appends `v` as exactly `width` decimal digits (zero-padded; callers keep `v` below 10^width).
fn push_digits(s: &mut String, v: u32, width: u32) {
    let mut div = 10u32.pow(width - 1);
    while div > 0 {
        s.push(char::from(b'0' + (v / div % 10) as u8));
        div /= 10;
    }
}

/// Parses `min..=max` ASCII digits (no sign, no spaces).
fn parse_digits(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the well-known era-based conversion).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1123_vector_from_reference_v1() {
        let ts = Timestamp::parse_rfc1123("Wed, 28 Dec 2022 10:27:41 GMT").unwrap();
        assert_eq!(ts.unix(), 1_672_223_261);
        assert_eq!(ts.to_rfc1123(), "Wed, 28 Dec 2022 10:27:41 GMT");
    }

    #[test]
    fn iso_vectors_from_reference_v4() {
        assert_eq!(
            Timestamp::from_unix(1_702_743_657).to_iso8601_basic(),
            "20231216T162057Z"
        );
        assert_eq!(
            Timestamp::from_unix(1_702_781_677).to_iso8601_basic(),
            "20231217T025437Z"
        );
        assert_eq!(
            Timestamp::from_unix(1_702_781_677).to_yyyymmdd(),
            "20231217"
        );
        assert_eq!(
            Timestamp::parse_iso8601_basic("20231216T162057Z")
                .unwrap()
                .unix(),
            1_702_743_657
        );
    }

    #[test]
    fn extended_iso() {
        let t = Timestamp::from_unix(1_702_743_657);
        assert_eq!(t.to_iso8601_millis(), "2023-12-16T16:20:57.000Z");
        assert_eq!(
            Timestamp::parse_iso8601_extended("2023-12-16T16:20:57.000Z"),
            Ok(t)
        );
        assert_eq!(
            Timestamp::parse_iso8601_extended("2023-12-16T16:20:57Z"),
            Ok(t)
        );
        for bad in [
            "2023-12-16T16:20:57",
            "2023-12-16T16:20:57.Z",
            "2023-12-16 16:20:57Z",
            "2023-13-16T16:20:57Z",
            "2023-12-16T16:20:57.1234567890Z",
        ] {
            assert!(Timestamp::parse_iso8601_extended(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn epoch_and_extremes() {
        assert_eq!(
            Timestamp::from_unix(0).to_rfc1123(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert_eq!(Timestamp::MIN.to_iso8601_basic(), "00010101T000000Z");
        assert_eq!(Timestamp::MAX.to_iso8601_basic(), "99991231T235959Z");
        assert_eq!(Timestamp::from_unix(i64::MAX), Timestamp::MAX);
        assert_eq!(
            Timestamp::from_unix(-1).to_iso8601_basic(),
            "19691231T235959Z"
        );
        assert_eq!(
            Timestamp::parse_iso8601_basic("20240229T000000Z")
                .unwrap()
                .to_rfc1123(),
            "Thu, 29 Feb 2024 00:00:00 GMT"
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "Wed, 28 Dec 2022 10:27:41",
            "Thu, 28 Dec 2022 10:27:41 GMT",
            "Wed, 28 Dek 2022 10:27:41 GMT",
            "Wed, 32 Dec 2022 10:27:41 GMT",
            "Wed, 28 Dec 2022 24:27:41 GMT",
            "Wed, 28 Dec 2022 10:27:41 GMT extra",
            "Wed, +8 Dec 2022 10:27:41 GMT",
            "Wed, 28 Dec 2022 10:27 GMT",
            "Wed, 28 Dec 2022 10:27:41:00 GMT",
        ] {
            assert!(Timestamp::parse_rfc1123(bad).is_err(), "{bad}");
        }
        for bad in [
            "",
            "20231216T162057",
            "20231216 162057Z",
            "20230230T000000Z",
            "2023121éT16205Z",
            "+0231216T162057Z",
        ] {
            assert!(Timestamp::parse_iso8601_basic(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trips_every_day_over_centuries() {
        let mut t = Timestamp::from_unix(-5_000_000_000);
        while t.unix() < 10_000_000_000 {
            let dt = t.to_datetime();
            assert_eq!(Timestamp::from_datetime(dt), Some(t));
            assert_eq!(Timestamp::parse_rfc1123(&t.to_rfc1123()), Ok(t));
            assert_eq!(Timestamp::parse_iso8601_basic(&t.to_iso8601_basic()), Ok(t));
            t = t.add_seconds(86_399 * 7 + 13);
        }
    }
}
