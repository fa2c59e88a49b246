//! The shop profile's rules as the server stores it.

use kept_protocol::ShopProfile;

use crate::ApiError;

/// A shop profile as it is stored: refused (422 naming each field) when it breaks a rule or names
/// a time zone that does not exist; availability and reply time, which the server computes, are
/// dropped. The console's `POST /v1/operator/shop` and `kept-server shop set` both take this way.
pub fn accepted(profile: ShopProfile) -> Result<ShopProfile, ApiError> {
    let mut problems = profile.problems();
    if jiff::tz::TimeZone::get(&profile.time_zone).is_err() {
        problems.push(kept_protocol::Problem::new("time_zone", kept_protocol::ProblemCode::Invalid));
    }
    crate::error::check(problems)?;
    Ok(ShopProfile { availability: Default::default(), reply_time: None, ..profile })
}
