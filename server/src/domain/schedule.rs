//! Working hours as real instants in the shop's time zone: open now, next opening, how much
//! working time lies between two instants (for the measured reply time), and whether a callback
//! window lies inside the hours of its day.

use std::collections::HashSet;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use kept_protocol::{LocalTime, ShopProfile, TimeWindow};

/// A shop's weekly hours and holidays, resolved in its time zone.
pub struct Schedule {
    tz: TimeZone,
    week: [Vec<TimeWindow>; 7],
    holidays: HashSet<Date>,
}

/// Open, and until when; or closed, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenState {
    OpenUntil(Timestamp),
    ClosedUntil(Option<Timestamp>),
}

const LOOKAHEAD_DAYS: i32 = 21;

impl Schedule {
    /// The schedule of `shop`, or None when its time zone is unknown.
    pub fn new(shop: &ShopProfile) -> Option<Schedule> {
        let tz = TimeZone::get(&shop.time_zone).ok()?;
        let mut week: [Vec<TimeWindow>; 7] = Default::default();
        for day in &shop.hours {
            week[day.day.index()].extend(day.intervals.iter().copied());
        }
        let holidays = shop.holidays.iter().filter_map(|h| h.date.parse::<Date>().ok()).collect();
        Some(Schedule { tz, week, holidays })
    }

    fn instant(&self, date: Date, t: LocalTime) -> Option<Timestamp> {
        let (h, min) = ((t.minutes() / 60) as i8, (t.minutes() % 60) as i8);
        date.at(h, min, 0, 0).to_zoned(self.tz.clone()).ok().map(|z| z.timestamp())
    }

    /// Open intervals, as instants, of the days from `from`'s day before to `days` days after.
    fn intervals(&self, from: Timestamp, days: i32) -> Vec<(Timestamp, Timestamp)> {
        let mut out = Vec::new();
        let Ok(mut date) = from.to_zoned(self.tz.clone()).date().yesterday() else { return out };
        for _ in 0..=days + 1 {
            if !self.holidays.contains(&date) {
                let weekday = date.weekday().to_monday_zero_offset() as usize;
                for w in &self.week[weekday] {
                    let end_date = if w.end <= w.start { date.tomorrow().ok() } else { Some(date) };
                    let start = self.instant(date, w.start);
                    let end = end_date.and_then(|d| self.instant(d, w.end));
                    if let (Some(s), Some(e)) = (start, end) {
                        out.push((s, e));
                    }
                }
            }
            match date.tomorrow() {
                Ok(d) => date = d,
                Err(_) => break,
            }
        }
        out.sort();
        // Adjacent or overlapping intervals (e.g. 22:00–24:00 and 00:00–02:00) are one opening.
        let mut merged: Vec<(Timestamp, Timestamp)> = Vec::new();
        for (s, e) in out {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged
    }

    /// Whether the shop is open at `now`, and when that changes.
    pub fn state(&self, now: Timestamp) -> OpenState {
        let intervals = self.intervals(now, LOOKAHEAD_DAYS);
        if let Some((_, end)) = intervals.iter().find(|(s, e)| *s <= now && now < *e) {
            return OpenState::OpenUntil(*end);
        }
        OpenState::ClosedUntil(intervals.iter().map(|(s, _)| *s).find(|s| *s > now))
    }

    /// The instants of `window` on the local `date` (its end on the next day when it crosses
    /// midnight); None when the shop's time zone cannot place them.
    pub fn window_on(&self, date: Date, window: TimeWindow) -> Option<(Timestamp, Timestamp)> {
        let end_date = if window.end <= window.start { date.tomorrow().ok()? } else { date };
        Some((self.instant(date, window.start)?, self.instant(end_date, window.end)?))
    }

    /// Whether a callback `window` on the local `date` lies inside one of that day's opening
    /// intervals, on a day that is not a holiday, and is not empty.
    pub fn takes_callback(&self, date: Date, window: TimeWindow) -> bool {
        let weekday = date.weekday().to_monday_zero_offset() as usize;
        !self.holidays.contains(&date) && window.length() > 0 && self.week[weekday].iter().any(|i| i.contains(window))
    }

    /// The instant `working_secs` of working time after `from`: what is asked outside the hours
    /// is due that long after the next opening (holidays and the time zone's own clock changes
    /// included). None when the hours hold no such time within the next year (a shop with no
    /// hours at all).
    pub fn after_working(&self, from: Timestamp, working_secs: i64) -> Option<Timestamp> {
        let mut left = working_secs.max(0);
        // `at`: counted up to here; `window`: where the next three weeks of intervals start
        // (overlapping the last ones, which `at` then skips), for at most a year ahead.
        let (mut at, mut window) = (from, from);
        for _ in 0..18 {
            for (s, e) in self.intervals(window, LOOKAHEAD_DAYS) {
                if e <= at {
                    continue;
                }
                let start = s.max(at);
                let open = e.as_second() - start.as_second();
                if left <= open {
                    return start.checked_add(jiff::SignedDuration::from_secs(left)).ok();
                }
                left -= open;
                at = e;
            }
            window = window.checked_add(jiff::SignedDuration::from_hours(24 * i64::from(LOOKAHEAD_DAYS))).ok()?;
        }
        None
    }

    /// Seconds of working time between `a` and `b`.
    pub fn working_seconds(&self, a: Timestamp, b: Timestamp) -> i64 {
        if b <= a {
            return 0;
        }
        let days = ((b.as_second() - a.as_second()) / 86_400 + 1).min(400) as i32;
        self.intervals(a, days).into_iter().map(|(s, e)| (e.min(b).as_second() - s.max(a).as_second()).max(0)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kept_protocol::{DayHours, Holiday, Weekday};

    fn shop(hours: Vec<DayHours>, holidays: Vec<&str>) -> ShopProfile {
        ShopProfile {
            hours,
            holidays: holidays.into_iter().map(|d| Holiday { date: d.into(), name: None }).collect(),
            ..ShopProfile::new("t", "Europe/Warsaw", vec![], vec![])
        }
    }

    fn w(s: (u16, u16), e: (u16, u16)) -> TimeWindow {
        TimeWindow { start: LocalTime::hm(s.0, s.1), end: LocalTime::hm(e.0, e.1) }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn weekdays(intervals: Vec<TimeWindow>) -> Vec<DayHours> {
        Weekday::ALL[..5].iter().map(|&day| DayHours { day, intervals: intervals.clone() }).collect()
    }

    #[test]
    fn open_in_an_interval_and_closed_in_the_lunch_gap_with_the_next_opening() {
        let s = Schedule::new(&shop(weekdays(vec![w((9, 0), (13, 0)), w((14, 0), (18, 0))]), vec![])).unwrap();
        // Monday 23 Nov 2026, 11:00 in Warsaw (UTC+1) is 10:00 UTC.
        assert_eq!(s.state(ts("2026-11-23T10:00:00Z")), OpenState::OpenUntil(ts("2026-11-23T12:00:00Z")));
        assert_eq!(s.state(ts("2026-11-23T12:30:00Z")), OpenState::ClosedUntil(Some(ts("2026-11-23T13:00:00Z"))));
    }

    #[test]
    fn friday_evening_points_to_monday_morning_and_holidays_are_skipped() {
        let s = Schedule::new(&shop(weekdays(vec![w((9, 0), (18, 0))]), vec!["2026-11-30"])).unwrap();
        // Friday 27 Nov, 19:00 local; Monday 30 Nov is a holiday, so Tuesday 1 Dec 09:00 local.
        assert_eq!(s.state(ts("2026-11-27T18:00:00Z")), OpenState::ClosedUntil(Some(ts("2026-12-01T08:00:00Z"))));
    }

    #[test]
    fn an_interval_across_midnight_keeps_the_shop_open_after_midnight() {
        let s = Schedule::new(&shop(weekdays(vec![w((20, 0), (2, 0))]), vec![])).unwrap();
        // Tuesday 24 Nov 01:00 local is inside Monday's 20:00–02:00.
        assert_eq!(s.state(ts("2026-11-24T00:00:00Z")), OpenState::OpenUntil(ts("2026-11-24T01:00:00Z")));
    }

    #[test]
    fn working_time_counts_only_open_hours() {
        let s = Schedule::new(&shop(weekdays(vec![w((9, 0), (18, 0))]), vec![])).unwrap();
        // Monday 17:50 local to Tuesday 09:05 local: 10 minutes on Monday, 5 on Tuesday.
        assert_eq!(s.working_seconds(ts("2026-11-23T16:50:00Z"), ts("2026-11-24T08:05:00Z")), 15 * 60);
    }

    #[test]
    fn a_callback_window_must_lie_inside_the_hours_of_its_day_and_not_on_a_holiday() {
        let s =
            Schedule::new(&shop(weekdays(vec![w((9, 0), (13, 0)), w((14, 0), (18, 0))]), vec!["2026-12-24"])).unwrap();
        let day = |d: &str| d.parse::<Date>().unwrap();
        assert!(s.takes_callback(day("2026-12-01"), w((10, 0), (12, 0))));
        assert!(!s.takes_callback(day("2026-12-01"), w((12, 0), (14, 30))), "across the lunch gap");
        assert!(!s.takes_callback(day("2026-12-05"), w((10, 0), (12, 0))), "a Saturday");
        assert!(!s.takes_callback(day("2026-12-24"), w((10, 0), (12, 0))), "a holiday");
        assert!(!s.takes_callback(day("2026-12-01"), w((10, 0), (10, 0))), "empty");
        // Tuesday 1 Dec 10:00-12:00 in Warsaw (UTC+1).
        assert_eq!(
            s.window_on(day("2026-12-01"), w((10, 0), (12, 0))),
            Some((ts("2026-12-01T09:00:00Z"), ts("2026-12-01T11:00:00Z")))
        );
        assert_eq!(
            s.window_on(day("2026-12-01"), w((23, 0), (1, 0))),
            Some((ts("2026-12-01T22:00:00Z"), ts("2026-12-02T00:00:00Z"))),
            "across midnight, its end on the next day"
        );
    }

    #[test]
    fn an_unknown_time_zone_gives_no_schedule() {
        let mut p = shop(vec![], vec![]);
        p.time_zone = "Mars/Olympus".into();
        assert!(Schedule::new(&p).is_none());
    }
}
