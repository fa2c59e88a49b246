//! Her reply by email comes back into the order's chat as her message: over SMTP from the shop's
//! MX (`--smtp-listen`, the protocol read by smtp-proto) or from the shop's mail provider's inbound webhook
//! (`POST /v1/backend/inbound-mail`). Either way one function takes it: routed by the order's
//! reply address, from her address only, without the quoted history, once per Message-ID.

use std::net::SocketAddr;
use std::sync::Arc;

use kept_protocol::chat::{AuthorKind, Message};
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};

use crate::domain::inbound::{self, Refusal, MAIL_MAX_BYTES};
use crate::store::{messages, orders, replies};
use crate::{clock, ApiError, AppState};

/// A mail as it arrived, parsed.
#[derive(Clone, Debug, Default)]
pub struct Incoming {
    /// The `From` address.
    pub from: String,
    /// Where it was sent: the envelope's recipients, or the `To` and `Cc` addresses.
    pub to: Vec<String>,
    pub message_id: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// Why a mail was not taken in.
#[derive(Debug)]
pub enum NotTaken {
    Refused(Refusal),
    Failed(ApiError),
}

impl From<ApiError> for NotTaken {
    fn from(e: ApiError) -> NotTaken {
        NotTaken::Failed(e)
    }
}

/// A whole message (headers and body), parsed; `to` from its headers.
pub fn parse(raw: &[u8]) -> Result<Incoming, Refusal> {
    if raw.len() > MAIL_MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    let m = mail_parser::MessageParser::default().parse(raw).ok_or(Refusal::Malformed)?;
    let from = m.from().and_then(|a| a.first()).and_then(|a| a.address()).ok_or(Refusal::Malformed)?.to_owned();
    let mut to = Vec::new();
    for list in [m.to(), m.cc()].into_iter().flatten() {
        to.extend(list.iter().filter_map(|a| a.address()).map(str::to_owned));
    }
    // An HTML-only mail lists its HTML part as the text body too: only a real text/plain counts.
    let text = m.text_bodies().next().and_then(|p| match &p.body {
        mail_parser::PartType::Text(t) => Some(t.to_string()),
        _ => None,
    });
    let html = m.html_bodies().next().and_then(|p| match &p.body {
        mail_parser::PartType::Html(h) => Some(h.to_string()),
        _ => None,
    });
    Ok(Incoming { from, to, message_id: m.message_id().map(str::to_owned), text, html })
}

/// The order of the first recipient that is a reply address of one.
async fn order_of(state: &AppState, to: &[String]) -> Result<Option<String>, ApiError> {
    let conn = &mut state.pool.acquire().await?;
    for tag in to.iter().filter_map(|t| inbound::tag_of(t)) {
        if let Some(order) = replies::order_of_tag(conn, &tag).await? {
            return Ok(Some(order));
        }
    }
    Ok(None)
}

/// Takes `mail` into its order's chat as her message; the message, and whether it is new (the
/// same Message-ID again is the same message).
pub async fn receive(state: &AppState, mail: Incoming) -> Result<(String, Message, bool), NotTaken> {
    let order = order_of(state, &mail.to).await?.ok_or(NotTaken::Refused(Refusal::NoOrder))?;
    let receipt = orders::current_receipt(&mut state.pool.acquire().await.map_err(ApiError::from)?, &order).await?;
    let hers = receipt.as_ref().and_then(|r| r.preferences.contact.email.as_deref());
    if !inbound::is_hers(&mail.from, hers) {
        return Err(NotTaken::Refused(Refusal::NotHers));
    }
    let text = inbound::reply_text(mail.text.as_deref(), mail.html.as_deref()).map_err(NotTaken::Refused)?;
    // Her mail program's Message-ID names the message; without one, its text does.
    let name = mail.message_id.clone().unwrap_or_else(|| [mail.from.as_str(), "\n", text.as_str()].concat());
    let digest = Sha256::digest(name.as_bytes());
    let client_id: String = ["mail-", &hex(&digest[..20])].concat();
    let o = order.clone();
    let (limit, window) = (state.config.rate_limit, state.config.rate_window_secs);
    let (message, created) = state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                tx.lock_order(&o).await?;
                // The chat's own limit holds for replies by email too (a mail loop, a flood).
                let now = clock::instant();
                messages::may_post(tx.db(), &o, &client_id, now, limit, window).await.map_err(|e| match e {
                    Ok(wait) => ApiError::RateLimited(wait),
                    Err(e) => e,
                })?;
                let m = messages::NewMessage {
                    order: &o,
                    author: AuthorKind::Customer,
                    author_name: None,
                    client_id: Some(&client_id),
                    text: &text,
                    at: now,
                };
                messages::add(tx, m).await
            })
        })
        .await?;
    Ok((order, message, created))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Longest an SMTP client may stay silent.
const IDLE: std::time::Duration = std::time::Duration::from_secs(300);
/// Commands one SMTP session may send (a session is a few dozen at most).
const COMMANDS_MAX: usize = 1000;

/// One SMTP answer line.
fn reply(code: u16, text: &str) -> String {
    format!("{code} {text}\r\n")
}

fn refused(r: Refusal) -> String {
    let (code, text) = r.smtp();
    reply(code, text)
}

/// Where a session is: reading commands, reading a message's data, or discarding an oversized one.
enum Reading {
    Commands,
    Data(smtp_proto::request::receiver::DataReceiver),
    Discard(smtp_proto::request::receiver::DummyDataReceiver),
}

/// One SMTP session: the envelope (recipients are taken only if they are orders' reply
/// addresses), then the message, handed to [`receive`] at its end.
async fn session(state: AppState, stream: TcpStream, name: Arc<str>) -> std::io::Result<()> {
    use smtp_proto::request::receiver::{DataReceiver, DummyDataReceiver, RequestReceiver};
    use smtp_proto::Request;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut rd, mut wr) = stream.into_split();
    wr.write_all(reply(220, &format!("{name} ESMTP Kept")).as_bytes()).await?;
    let mut receiver = RequestReceiver::default();
    let mut reading = Reading::Commands;
    let (mut sender, mut to, mut message) = (None::<String>, Vec::<String>::new(), Vec::<u8>::new());
    let mut buf = vec![0u8; 16 * 1024];
    let mut commands = 0;
    loop {
        let n = match tokio::time::timeout(IDLE, rd.read(&mut buf)).await {
            Ok(n) => n?,
            Err(_) => {
                wr.write_all(reply(421, "4.4.2 Idle too long").as_bytes()).await?;
                return Ok(());
            }
        };
        if n == 0 {
            return Ok(());
        }
        let mut bytes = buf[..n].iter();
        let mut out = String::new();
        loop {
            match &mut reading {
                Reading::Data(data) => {
                    if data.ingest(&mut bytes, &mut message) {
                        let raw = std::mem::take(&mut message);
                        out.push_str(&end_of_data(&state, &raw, std::mem::take(&mut to)).await);
                        sender = None;
                        reading = Reading::Commands;
                        continue;
                    }
                    if message.len() > MAIL_MAX_BYTES {
                        reading = Reading::Discard(DummyDataReceiver::new_data(data));
                        message = Vec::new();
                    }
                    break;
                }
                Reading::Discard(data) => {
                    if data.ingest(&mut bytes) {
                        out.push_str(&refused(Refusal::TooLarge));
                        (sender, to) = (None, Vec::new());
                        reading = Reading::Commands;
                        continue;
                    }
                    break;
                }
                Reading::Commands => {}
            }
            let request = match receiver.ingest(&mut bytes) {
                Err(smtp_proto::Error::NeedsMoreData { .. }) => break,
                request => request,
            };
            commands += 1;
            if commands > COMMANDS_MAX {
                out.push_str(&reply(421, "4.7.0 Too many commands"));
                wr.write_all(out.as_bytes()).await?;
                return Ok(());
            }
            let answer = match request {
                Ok(Request::Ehlo { .. }) => format!(
                    "250-{name}\r\n250-SIZE {MAIL_MAX_BYTES}\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n"
                ),
                Ok(Request::Helo { .. }) => reply(250, &name),
                Ok(Request::Mail { from }) if from.size > MAIL_MAX_BYTES => refused(Refusal::TooLarge),
                Ok(Request::Mail { from }) => {
                    (sender, to) = (Some(from.address.into_owned()), Vec::new());
                    reply(250, "2.1.0 OK")
                }
                Ok(Request::Rcpt { .. }) if sender.is_none() => reply(503, "5.5.1 MAIL first"),
                Ok(Request::Rcpt { to: rcpt }) => match order_of(&state, &[rcpt.address.to_string()]).await {
                    // Only reply addresses of orders: anything else is not ours to take.
                    Ok(Some(_)) if to.len() < 100 => {
                        to.push(rcpt.address.into_owned());
                        reply(250, "2.1.5 OK")
                    }
                    Ok(Some(_)) => reply(452, "4.5.3 Too many recipients"),
                    Ok(None) => refused(Refusal::NoOrder),
                    Err(_) => reply(451, "4.3.0 Try again later"),
                },
                Ok(Request::Data) if to.is_empty() => reply(503, "5.5.1 RCPT first"),
                Ok(Request::Data) => {
                    reading = Reading::Data(DataReceiver::new());
                    message.clear();
                    reply(354, "Start mail input; end with <CRLF>.<CRLF>")
                }
                Ok(Request::Rset) => {
                    (sender, to) = (None, Vec::new());
                    reply(250, "2.0.0 OK")
                }
                Ok(Request::Noop { .. }) => reply(250, "2.0.0 OK"),
                Ok(Request::Quit) => {
                    out.push_str(&reply(221, "2.0.0 Bye"));
                    wr.write_all(out.as_bytes()).await?;
                    return Ok(());
                }
                Ok(_) => reply(502, "5.5.1 Not implemented"),
                Err(smtp_proto::Error::ResponseTooLong) => reply(500, "5.5.2 Line too long"),
                Err(smtp_proto::Error::UnknownCommand) => reply(500, "5.5.1 Command unrecognized"),
                Err(_) => reply(501, "5.5.2 Syntax error"),
            };
            out.push_str(&answer);
        }
        if !out.is_empty() {
            wr.write_all(out.as_bytes()).await?;
        }
    }
}

/// The answer to a whole message received over SMTP.
async fn end_of_data(state: &AppState, raw: &[u8], to: Vec<String>) -> String {
    let mut mail = match parse(raw) {
        Ok(m) => m,
        Err(r) => return refused(r),
    };
    // The envelope says where it was sent, whatever the headers say.
    mail.to = to;
    match receive(state, mail).await {
        Ok((order, _, _)) => {
            tracing::info!(%order, "a reply by email");
            reply(250, "2.0.0 OK: in the order's chat")
        }
        Err(NotTaken::Refused(r)) => refused(r),
        Err(NotTaken::Failed(ApiError::RateLimited(_))) => {
            reply(451, "4.7.0 Too many messages for this order; try again later")
        }
        Err(NotTaken::Failed(e)) => {
            tracing::error!(error = %e, "a reply by email could not be stored");
            reply(451, "4.3.0 Try again later")
        }
    }
}

/// Starts the SMTP listener on `addr` (it runs until the process ends); the address it listens on.
pub async fn listen(state: AppState, addr: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let name: Arc<str> = state.mail.as_ref().map_or("kept", |m| m.domain()).into();
    tokio::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "SMTP accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let (state, name) = (state.clone(), name.clone());
            tokio::spawn(async move {
                if let Err(e) = session(state, stream, name).await {
                    tracing::debug!(%peer, error = %e, "SMTP session ended");
                }
            });
        }
    });
    Ok(local)
}
