//! The shop's people: adding, disabling, re-enabling, removing an operator and resetting a
//! password, the same from the command line and from the backend API. Disabling, removing and
//! a new password end every session of the account at once, and open event streams of those
//! sessions end within [`SESSION_CHECK`].

use std::time::Duration;

use kept_protocol::operator::{NewOperator, OperatorAccount, OperatorSaved};

use crate::db::Conn;
use crate::store::operators;
use crate::ApiError;

/// How often an open operator event stream checks that its session still stands.
pub const SESSION_CHECK: Duration = Duration::from_millis(250);

/// A password hashed before the write (argon2 is deliberately slow: never inside the writer),
/// with the password itself when the server made it, to be shown once.
pub struct Password {
    hash: String,
    made: Option<String>,
}

impl Password {
    /// The password given, or a new one.
    pub async fn new(given: Option<&str>) -> Result<Password, ApiError> {
        let (password, made) = match given {
            Some(p) => (p.to_owned(), None),
            None => {
                let made = crate::password::generate().map_err(internal)?;
                (made.clone(), Some(made))
            }
        };
        let hash = tokio::task::spawn_blocking(move || crate::password::hash(&password))
            .await
            .map_err(|e| internal(e.to_string()))?
            .map_err(internal)?;
        Ok(Password { hash, made })
    }
}

fn internal(e: String) -> ApiError {
    ApiError::Internal(crate::error::anyhow_lite::Error::msg(e))
}

async fn existing(conn: &mut Conn, name: &str) -> Result<OperatorAccount, ApiError> {
    operators::account(conn, name).await?.ok_or(ApiError::NotFound("operator"))
}

/// Adds a person (the request checked by the caller); 409 when the name is taken.
pub async fn add(conn: &mut Conn, new: &NewOperator, password: Password) -> Result<OperatorSaved, ApiError> {
    let name = new.name.trim();
    let display = new.display_name.as_deref().map_or(name, str::trim);
    if !operators::add(conn, name, display, &password.hash).await? {
        return Err(ApiError::Conflict("an operator with this name exists already"));
    }
    Ok(OperatorSaved { operator: existing(conn, name).await?, password: password.made })
}

/// Disables a person (their sessions end) or enables them again.
pub async fn set_disabled(conn: &mut Conn, name: &str, disabled: bool) -> Result<OperatorAccount, ApiError> {
    if !operators::set_disabled(conn, name, disabled).await? {
        return Err(ApiError::NotFound("operator"));
    }
    existing(conn, name).await
}

/// A new password; every old session ends.
pub async fn reset_password(conn: &mut Conn, name: &str, password: Password) -> Result<OperatorSaved, ApiError> {
    if !operators::set_password(conn, name, &password.hash).await? {
        return Err(ApiError::NotFound("operator"));
    }
    Ok(OperatorSaved { operator: existing(conn, name).await?, password: password.made })
}

/// Removes a person and their sessions; their past actions stay attributed to the name they
/// acted under.
pub async fn remove(conn: &mut Conn, name: &str) -> Result<(), ApiError> {
    if operators::remove(conn, name).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound("operator"))
    }
}
