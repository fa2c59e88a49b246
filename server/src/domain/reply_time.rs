//! Reply time: how long the shop takes to answer, measured as Kept promises it. A sample is the
//! working time from a customer's oldest unanswered message to the operator's answer; the shop's
//! figure is the median of the samples of the last [`WINDOW_DAYS`] (the widget rounds it up to
//! whole minutes: `ReplyTime::minutes` in kept-protocol).

use jiff::Timestamp;
use kept_protocol::{ReplyTime, ShopProfile};

use super::schedule::Schedule;

/// The window the reply time is measured over.
pub const WINDOW_DAYS: i64 = 7;

/// The first instant of the window that ends at `now`.
pub fn window_start(now: Timestamp) -> Timestamp {
    Timestamp::from_second(now.as_second() - WINDOW_DAYS * 86_400).unwrap_or(now)
}

/// One sample: the working seconds from `since` to `answered` in the shop's hours (wall-clock
/// seconds when its time zone is unknown), never below 0.
pub fn wait_seconds(shop: &ShopProfile, since: Timestamp, answered: Timestamp) -> i64 {
    let seconds = Schedule::new(shop).map_or((answered - since).get_seconds(), |s| s.working_seconds(since, answered));
    seconds.max(0)
}

/// The median of the samples, if there are any.
pub fn median(mut waits: Vec<i64>) -> Option<ReplyTime> {
    if waits.is_empty() {
        return None;
    }
    waits.sort_unstable();
    let n = waits.len();
    let median = if n % 2 == 1 { waits[n / 2] } else { (waits[n / 2 - 1] + waits[n / 2]) / 2 };
    Some(ReplyTime { median_seconds: median.max(0) as u32, sample_size: n as u32, window_days: WINDOW_DAYS as u32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![300, 60, 120]).map(|r| r.median_seconds), Some(120));
        let even = median(vec![60, 300, 120, 600]).unwrap();
        assert_eq!((even.median_seconds, even.sample_size, even.window_days), (210, 4, 7));
    }
}
