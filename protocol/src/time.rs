//! Times of day in the shop's time zone, written `HH:MM`.

use serde::{Deserialize, Serialize};

/// A time of day, `00:00` to `23:59`; stored as minutes after midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalTime(u16);

#[cfg(feature = "schema")]
impl schemars::JsonSchema for LocalTime {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LocalTime".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
            "description": "A time of day in the shop's time zone, HH:MM"
        })
    }
}

impl LocalTime {
    /// Parses `HH:MM`.
    pub fn parse(s: &str) -> Option<LocalTime> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(LocalTime(h * 60 + m))
    }

    /// A time from hours and minutes.
    pub const fn hm(h: u16, m: u16) -> LocalTime {
        LocalTime(h * 60 + m)
    }

    /// Minutes after midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl TryFrom<String> for LocalTime {
    type Error = String;
    fn try_from(s: String) -> Result<LocalTime, String> {
        LocalTime::parse(&s).ok_or_else(|| "expected a time of day as HH:MM".to_owned())
    }
}

impl From<LocalTime> for String {
    fn from(t: LocalTime) -> String {
        let (h, m) = (t.0 / 60, t.0 % 60);
        let digit = |d: u16| char::from(b'0' + d as u8);
        [digit(h / 10), digit(h % 10), ':', digit(m / 10), digit(m % 10)].iter().collect()
    }
}

/// A span of a day between two times; `end` before `start` crosses midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TimeWindow {
    pub start: LocalTime,
    pub end: LocalTime,
}

impl TimeWindow {
    /// Minutes from start to end, across midnight when needed; 0 for an empty window.
    pub fn length(self) -> u16 {
        (self.end.minutes() + 24 * 60 - self.start.minutes()) % (24 * 60)
    }

    /// Whether `other` lies wholly inside this window.
    pub fn contains(self, other: TimeWindow) -> bool {
        let offset = |t: LocalTime| (t.minutes() + 24 * 60 - self.start.minutes()) % (24 * 60);
        let len = if self.length() == 0 { 24 * 60 } else { self.length() };
        let (s, e) = (offset(other.start), offset(other.start) + other.length());
        s < len && e <= len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_as_hh_mm() {
        let t = LocalTime::parse("09:05").unwrap();
        assert_eq!(t.minutes(), 545);
        assert_eq!(String::from(t), "09:05");
        for bad in ["9:05", "24:00", "12:60", "ab:cd", "1200"] {
            assert_eq!(LocalTime::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn windows_across_midnight_contain_what_lies_inside_them() {
        let night = TimeWindow { start: LocalTime::hm(22, 0), end: LocalTime::hm(2, 0) };
        assert_eq!(night.length(), 240);
        assert!(night.contains(TimeWindow { start: LocalTime::hm(23, 0), end: LocalTime::hm(1, 0) }));
        assert!(!night.contains(TimeWindow { start: LocalTime::hm(1, 0), end: LocalTime::hm(3, 0) }));
        let day = TimeWindow { start: LocalTime::hm(9, 0), end: LocalTime::hm(18, 0) };
        assert!(day.contains(TimeWindow { start: LocalTime::hm(17, 0), end: LocalTime::hm(18, 0) }));
        assert!(!day.contains(TimeWindow { start: LocalTime::hm(17, 0), end: LocalTime::hm(18, 30) }));
    }
}
