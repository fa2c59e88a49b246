//! One way to write an instant, so the instants stored in SQLite sort and compare as text.

use jiff::Timestamp;

/// RFC 3339 in UTC, always to the millisecond: `2026-11-23T10:00:00.000Z`.
pub fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The current instant, written as [`rfc3339`].
pub fn now() -> String {
    rfc3339(Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_have_a_fixed_width_so_text_order_is_time_order() {
        let whole: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let later: Timestamp = "2026-11-23T10:00:00.5Z".parse().unwrap();
        assert_eq!(rfc3339(whole), "2026-11-23T10:00:00.000Z");
        assert_eq!(rfc3339(later), "2026-11-23T10:00:00.500Z");
        assert!(rfc3339(whole) < rfc3339(later));
    }
}
