//! The record of kept promises: when each promise Kept made falls due, and whether it was kept.
//! Plain rules over instants, the clock passed in; the store keeps the rows, these decide them.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use kept_protocol::{Deviation, PromiseEntry, PromiseKind, PromiseState, TrustLine, Words};

use super::schedule::Schedule;

/// What became of a promise at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not due yet, and not yet kept.
    Open,
    /// Kept in time.
    Kept,
    /// Overdue, or done too late.
    Broken,
}

/// How late an ask-first outcome may be and still be kept: the sweeper runs every few seconds.
pub const ASK_FIRST_GRACE: SignedDuration = SignedDuration::from_mins(1);

/// When a reply promised within `shown_minutes` (the reply time the widget showed her when she
/// wrote) to a message at `asked` falls due: that much working time later, so a message outside
/// the hours is due that many minutes after the next opening. Without a schedule (an unknown time
/// zone, or no hours) the minutes run on the clock.
pub fn reply_due(schedule: Option<&Schedule>, asked: Timestamp, shown_minutes: u32) -> Timestamp {
    let secs = i64::from(shown_minutes) * 60;
    schedule
        .and_then(|s| s.after_working(asked, secs))
        .or_else(|| asked.checked_add(SignedDuration::from_secs(secs)).ok())
        .unwrap_or(asked)
}

/// A promise due at `due`, closed at `closed` (if it was): kept when closed by then, broken once
/// `now` is past it unclosed or when closed late.
pub fn by_deadline(due: Timestamp, closed: Option<Timestamp>, now: Timestamp) -> Outcome {
    match closed {
        Some(at) if at <= due => Outcome::Kept,
        Some(_) => Outcome::Broken,
        None if now > due => Outcome::Broken,
        None => Outcome::Open,
    }
}

/// A callback promised for `window` (start, end) and marked done at `done`: kept only inside the
/// window (a call before it is not the call she asked for), broken at its end.
pub fn callback(window: (Timestamp, Timestamp), done: Option<Timestamp>, now: Timestamp) -> Outcome {
    match done {
        Some(at) if at < window.0 => Outcome::Broken,
        _ => by_deadline(window.1, done, now),
    }
}

/// An ask-first question with its `deadline`: `applied` is when her answer or, at the deadline,
/// her declared fallback was applied; more than [`ASK_FIRST_GRACE`] after the deadline is broken.
/// `touched_before_asking`: the item was changed before the question was asked, which breaks it
/// whatever came after.
pub fn ask_first(
    deadline: Timestamp,
    applied: Option<Timestamp>,
    touched_before_asking: bool,
    now: Timestamp,
) -> Outcome {
    if touched_before_asking {
        return Outcome::Broken;
    }
    let due = deadline.checked_add(ASK_FIRST_GRACE).unwrap_or(deadline);
    by_deadline(due, applied, now)
}

/// "This shop kept N % of M promises": the kept share, in whole percent rounded down (99.6 %
/// is not 100 %), shown only from `floor` closed promises on.
pub fn kept_share(kept: u64, broken: u64, floor: u64) -> Option<u8> {
    (kept + broken >= floor).then(|| kept_protocol::record::RecordFigures::share(kept, broken)).flatten()
}

/// The sample below which no trust line is shown.
pub const TRUST_FLOOR: u64 = kept_protocol::TrustLine::FLOOR;

/// The shop's local date at `t` (UTC when its time zone is unknown): the day a decision counts on.
pub fn day_of(time_zone: &str, t: Timestamp) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    t.to_zoned(tz).date()
}

/// The first day of the `days` local days that end with the one containing `now`.
pub fn window_from(time_zone: &str, now: Timestamp, days: u32) -> jiff::civil::Date {
    let today = day_of(time_zone, now);
    today.checked_sub(jiff::Span::new().days(i64::from(days.max(1)) - 1)).unwrap_or(today)
}

/// An instant as she reads it, in the shop's time zone: "today, 10:40", "tomorrow, 9:00", else
/// "4.12., 10:00" (the locale's date order).
pub fn when(words: &dyn Words, tz: &TimeZone, t: Timestamp, now: Timestamp) -> String {
    let (at, today) = (t.to_zoned(tz.clone()), now.to_zoned(tz.clone()).date());
    let time = at.strftime("%H:%M").to_string();
    if at.date() == today {
        words.text("chat.today", &[("time", &time)])
    } else if today.tomorrow().ok() == Some(at.date()) {
        words.text("chat.tomorrow", &[("time", &time)])
    } else {
        let (d, m) = (at.day().to_string(), at.month().to_string());
        words.text("record.on_date", &[("d", &d), ("m", &m), ("time", &time)])
    }
}

fn instant(s: &Option<String>) -> Option<Timestamp> {
    s.as_deref().and_then(|s| s.parse().ok())
}

/// What Kept promised her and what became of it, in her words ("An answer within 5 minutes:
/// answered in 3 minutes", "A call today, 10:00–12:00: called today, 10:40"); none for one no
/// longer owed. A reply's minutes are working minutes, as it was promised in.
pub fn line(
    p: &PromiseEntry,
    words: &dyn Words,
    schedule: Option<&Schedule>,
    tz: &TimeZone,
    now: Timestamp,
) -> Option<String> {
    let at = |t: Option<Timestamp>| t.map(|t| when(words, tz, t, now)).unwrap_or_default();
    let (opened, due, closed) = (p.opened_at.parse::<Timestamp>().ok(), instant(&p.due_at), instant(&p.closed_at));
    let span = || {
        let end = due.map(|t| t.to_zoned(tz.clone()).strftime("%H:%M").to_string()).unwrap_or_default();
        [at(instant(&p.window_start)), "–".into(), end].concat()
    };
    let head = match p.kind {
        PromiseKind::Reply => words.count("record.reply", f64::from(p.promised_minutes.unwrap_or(15)), &[]),
        PromiseKind::Callback => words.text("record.callback", &[("window", &span())]),
        PromiseKind::AskFirst => words.text("record.ask_first", &[]),
        PromiseKind::Delivery => words.text("record.delivery", &[("window", &span())]),
        PromiseKind::Claim => words.text("record.claim", &[]),
        PromiseKind::Deviation => {
            let key = match p.deviation {
                Some(Deviation::CallRefused) => "record.prevented_call",
                Some(Deviation::SubstituteAboveCap) => "record.prevented_substitute",
                _ => "record.prevented_payment",
            };
            return Some(words.text(key, &[]));
        }
        PromiseKind::Unknown => return None,
    };
    let broken = p.state == PromiseState::Broken;
    let done = closed.map(|closed| {
        let seconds = |o: Timestamp| schedule.map_or((closed - o).get_seconds(), |s| s.working_seconds(o, closed));
        let minutes = opened.map_or(0, |o| (seconds(o).max(1) as u64).div_ceil(60));
        let key = match p.kind {
            PromiseKind::Reply if broken || minutes <= 120 => {
                return words.count("record.answered_in", minutes as f64, &[]);
            }
            PromiseKind::Callback => "record.called_at",
            PromiseKind::AskFirst => "record.applied_at",
            PromiseKind::Delivery => "record.delivered_at",
            _ => "record.answered_at",
        };
        words.text(key, &[("time", &at(Some(closed)))])
    });
    let tail = match (p.state, done) {
        (PromiseState::Open, _) if p.kind == PromiseKind::Claim => words.text("record.claim_open", &[]),
        (PromiseState::Open, _) => words.text("record.due_by", &[("time", &at(due))]),
        (PromiseState::Kept | PromiseState::Answered, Some(done)) => done,
        (PromiseState::Broken, Some(done)) if p.kind == PromiseKind::Reply => {
            let promised = p.promised_minutes.unwrap_or_default().to_string();
            words.text("record.promised", &[("what", &done), ("n", &promised)])
        }
        (PromiseState::Broken, Some(done)) => words.text("record.late", &[("what", &done)]),
        (PromiseState::Broken, None) => words.text("record.not_kept", &[]),
        _ => return None,
    };
    Some([head, ": ".into(), tail].concat())
}

/// The trust line's words: the line itself and the kinds behind it, a line each.
pub fn trust_words(t: &TrustLine, words: &dyn Words) -> (String, Vec<String>) {
    let number = |n: u64| kept_protocol::catalog::grouped(n, words.locale());
    let (percent, days) = (t.kept_percent.to_string(), t.days.to_string());
    // The plural form by the count, the count itself grouped ("1,204").
    let line = words
        .count("record.trust_line", t.promises as f64, &[("percent", &percent), ("days", &days)])
        .replace(&t.promises.to_string(), &number(t.promises));
    let kinds = t
        .kinds
        .iter()
        .filter_map(|k| {
            let kind = match k.kind {
                PromiseKind::Reply => "record.kind_reply",
                PromiseKind::Callback => "record.kind_callback",
                PromiseKind::AskFirst => "record.kind_ask_first",
                PromiseKind::Delivery => "record.kind_delivery",
                _ => return None,
            };
            let args = [("kind", words.text(kind, &[])), ("kept", number(k.kept)), ("all", number(k.kept + k.broken))];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Some(words.text("record.trust_kind", &args))
        })
        .collect();
    (line, kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kept_protocol::{DayHours, Holiday, LocalTime, ShopProfile, TimeWindow, Weekday};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn w(s: (u16, u16), e: (u16, u16)) -> TimeWindow {
        TimeWindow { start: LocalTime::hm(s.0, s.1), end: LocalTime::hm(e.0, e.1) }
    }

    fn schedule(zone: &str, days: &[Weekday], intervals: Vec<TimeWindow>, holidays: &[&str]) -> Schedule {
        let shop = ShopProfile {
            hours: days.iter().map(|&day| DayHours { day, intervals: intervals.clone() }).collect(),
            holidays: holidays.iter().map(|d| Holiday { date: (*d).into(), name: None }).collect(),
            ..ShopProfile::new("t", zone, vec![], vec![])
        };
        Schedule::new(&shop).unwrap()
    }

    fn weekdays(intervals: Vec<TimeWindow>, holidays: &[&str]) -> Schedule {
        schedule("Europe/Warsaw", &Weekday::ALL[..5], intervals, holidays)
    }

    #[test]
    fn a_message_inside_the_hours_is_due_that_many_minutes_later() {
        let s = weekdays(vec![w((9, 0), (18, 0))], &[]);
        // Tuesday 1 Dec 2026, 10:00 in Warsaw (UTC+1).
        assert_eq!(reply_due(Some(&s), ts("2026-12-01T09:00:00Z"), 5), ts("2026-12-01T09:05:00Z"));
    }

    #[test]
    fn a_message_at_17_59_before_an_18_00_close_is_due_four_minutes_after_the_next_opening() {
        let s = weekdays(vec![w((9, 0), (18, 0))], &[]);
        // Tuesday 17:59 local: one minute today, four from Wednesday 09:00.
        assert_eq!(reply_due(Some(&s), ts("2026-12-01T16:59:00Z"), 5), ts("2026-12-02T08:04:00Z"));
    }

    #[test]
    fn a_message_on_friday_evening_before_a_holiday_monday_is_due_on_tuesday() {
        let s = weekdays(vec![w((9, 0), (18, 0))], &["2026-12-07"]);
        // Friday 4 Dec 20:00 local; Monday 7 Dec is a holiday; Tuesday 8 Dec 09:15 local.
        assert_eq!(reply_due(Some(&s), ts("2026-12-04T19:00:00Z"), 15), ts("2026-12-08T08:15:00Z"));
    }

    #[test]
    fn hours_across_midnight_count_after_midnight() {
        let s = schedule("Europe/Warsaw", &Weekday::ALL, vec![w((20, 0), (2, 0))], &[]);
        // 01:50 local: ten minutes left tonight, then from 20:00 local the next evening.
        assert_eq!(reply_due(Some(&s), ts("2026-12-02T00:50:00Z"), 30), ts("2026-12-02T19:20:00Z"));
    }

    #[test]
    fn the_clock_change_moves_the_opening_not_the_working_minutes() {
        // Berlin leaves summer time on Sunday 25 Oct 2026: Saturday's 17:00 close is 15:00 UTC,
        // Monday's 09:00 opening is 08:00 UTC.
        let s = schedule("Europe/Berlin", &Weekday::ALL[..6], vec![w((9, 0), (17, 0))], &[]);
        assert_eq!(reply_due(Some(&s), ts("2026-10-24T14:50:00Z"), 20), ts("2026-10-26T08:10:00Z"));
        // And the same in New York, which changes a week later (1 Nov 2026).
        let ny = schedule("America/New_York", &Weekday::ALL[..5], vec![w((9, 0), (17, 0))], &[]);
        // Friday 30 Oct 16:55 EDT (20:55 UTC); Monday 2 Nov 09:00 EST is 14:00 UTC.
        assert_eq!(reply_due(Some(&ny), ts("2026-10-30T20:55:00Z"), 10), ts("2026-11-02T14:05:00Z"));
    }

    #[test]
    fn without_hours_the_minutes_run_on_the_clock() {
        let none = schedule("Europe/Warsaw", &[], vec![], &[]);
        assert_eq!(reply_due(Some(&none), ts("2026-12-01T09:00:00Z"), 5), ts("2026-12-01T09:05:00Z"));
        assert_eq!(reply_due(None, ts("2026-12-01T09:00:00Z"), 5), ts("2026-12-01T09:05:00Z"));
    }

    #[test]
    fn a_reply_is_kept_in_time_broken_the_minute_it_is_overdue_and_open_before() {
        let due = ts("2026-12-01T09:05:00Z");
        assert_eq!(by_deadline(due, Some(ts("2026-12-01T09:03:00Z")), ts("2026-12-01T09:10:00Z")), Outcome::Kept);
        assert_eq!(by_deadline(due, Some(due), due), Outcome::Kept, "on the minute is in time");
        assert_eq!(by_deadline(due, None, ts("2026-12-01T09:04:00Z")), Outcome::Open);
        assert_eq!(by_deadline(due, None, ts("2026-12-01T09:05:01Z")), Outcome::Broken);
        assert_eq!(by_deadline(due, Some(ts("2026-12-01T09:18:00Z")), ts("2026-12-01T09:20:00Z")), Outcome::Broken);
    }

    #[test]
    fn a_callback_is_kept_only_inside_its_window() {
        let window = (ts("2026-12-04T09:00:00Z"), ts("2026-12-04T11:00:00Z"));
        assert_eq!(callback(window, Some(ts("2026-12-04T09:40:00Z")), window.1), Outcome::Kept);
        assert_eq!(callback(window, Some(ts("2026-12-04T08:30:00Z")), window.1), Outcome::Broken, "too early");
        assert_eq!(callback(window, None, ts("2026-12-04T10:00:00Z")), Outcome::Open);
        assert_eq!(callback(window, None, ts("2026-12-05T09:00:00Z")), Outcome::Broken, "a day late");
    }

    #[test]
    fn an_ask_first_question_is_broken_when_late_by_more_than_a_minute_or_answered_after_the_fact() {
        let deadline = ts("2026-12-01T09:15:00Z");
        let now = ts("2026-12-01T10:00:00Z");
        assert_eq!(ask_first(deadline, Some(ts("2026-12-01T09:15:40Z")), false, now), Outcome::Kept);
        assert_eq!(ask_first(deadline, Some(ts("2026-12-01T09:16:30Z")), false, now), Outcome::Broken);
        assert_eq!(ask_first(deadline, Some(ts("2026-12-01T09:05:00Z")), true, now), Outcome::Broken);
        assert_eq!(ask_first(deadline, None, false, ts("2026-12-01T09:15:50Z")), Outcome::Open);
    }

    #[test]
    fn a_decision_counts_on_the_shops_own_date() {
        // 23:30 UTC on 1 Dec is already 2 Dec in Warsaw.
        assert_eq!(day_of("Europe/Warsaw", ts("2026-12-01T23:30:00Z")).to_string(), "2026-12-02");
        assert_eq!(day_of("Nowhere/Atlantis", ts("2026-12-01T23:30:00Z")).to_string(), "2026-12-01");
        assert_eq!(window_from("Europe/Warsaw", ts("2026-12-01T10:00:00Z"), 30).to_string(), "2026-11-02");
        assert_eq!(window_from("Europe/Warsaw", ts("2026-12-01T10:00:00Z"), 1).to_string(), "2026-12-01");
    }

    fn entry(kind: PromiseKind, state: PromiseState) -> PromiseEntry {
        PromiseEntry {
            id: 1,
            order: "KC-1001".into(),
            kind,
            state,
            opened_at: "2026-12-04T09:00:00Z".into(),
            due_at: Some("2026-12-04T09:05:00Z".into()),
            window_start: None,
            promised_minutes: Some(5),
            closed_at: Some("2026-12-04T09:07:00Z".into()),
            decided_at: Some("2026-12-04T09:05:00Z".into()),
            operator: None,
            deviation: None,
            subject: None,
            event: None,
        }
    }

    #[test]
    fn her_promises_read_in_her_words_in_every_language() {
        use kept_protocol::catalog::words;
        use kept_protocol::Locale;
        let tz = TimeZone::get("Europe/Warsaw").unwrap();
        let now = ts("2026-12-04T12:00:00Z");
        let late = entry(PromiseKind::Reply, PromiseState::Broken);
        assert_eq!(
            line(&late, words(Locale::En), None, &tz, now).unwrap(),
            "An answer within 5 minutes: answered in 7 minutes (promised 5)"
        );
        let call = PromiseEntry {
            window_start: Some("2026-12-04T09:00:00Z".into()),
            due_at: Some("2026-12-04T11:00:00Z".into()),
            closed_at: Some("2026-12-04T09:40:00Z".into()),
            ..entry(PromiseKind::Callback, PromiseState::Kept)
        };
        assert_eq!(
            line(&call, words(Locale::En), None, &tz, now).unwrap(),
            "A call today, 10:00–12:00: called today, 10:40"
        );
        let tomorrow = ts("2026-12-03T12:00:00Z");
        assert_eq!(
            line(&call, words(Locale::De), None, &tz, tomorrow).unwrap(),
            "Ein Anruf morgen, 10:00–12:00: angerufen morgen, 10:40"
        );
        let withdrawn = entry(PromiseKind::AskFirst, PromiseState::Withdrawn);
        assert_eq!(line(&withdrawn, words(Locale::En), None, &tz, now), None, "no longer owed: not listed");
        let stopped = PromiseEntry {
            deviation: Some(Deviation::CallRefused),
            ..entry(PromiseKind::Deviation, PromiseState::Prevented)
        };
        let open = PromiseEntry { closed_at: None, ..entry(PromiseKind::Delivery, PromiseState::Open) };
        let claim = PromiseEntry { closed_at: None, ..entry(PromiseKind::Claim, PromiseState::Open) };
        let trust = TrustLine {
            kept_percent: 97,
            promises: 1204,
            days: 30,
            kinds: vec![kept_protocol::record::KindShare { kind: PromiseKind::Reply, kept: 1100, broken: 34 }],
        };
        for l in Locale::ALL {
            for p in [&late, &call, &stopped, &open, &claim] {
                let text = line(p, words(l), None, &tz, now).unwrap();
                assert!(!text.contains("record.") && !text.contains('{'), "{l:?}: {text}");
            }
            let (t, kinds) = trust_words(&trust, words(l));
            assert!(t.contains("97") && !t.contains('{') && kinds.len() == 1, "{l:?}: {t} {kinds:?}");
        }
        assert_eq!(
            trust_words(&trust, words(Locale::En)),
            (
                "This shop kept 97 % of 1,204 promises in the last 30 days".to_owned(),
                vec!["Replies: 1,100 of 1,134 kept".to_owned()]
            )
        );
    }

    #[test]
    fn the_trust_line_needs_thirty_closed_promises_and_never_rounds_up_to_a_perfect_record() {
        assert_eq!(kept_share(28, 1, TRUST_FLOOR), None);
        assert_eq!(kept_share(29, 1, TRUST_FLOOR), Some(96));
        assert_eq!(kept_share(1199, 5, TRUST_FLOOR), Some(99));
        assert_eq!(kept_share(30, 0, TRUST_FLOOR), Some(100));
    }
}
