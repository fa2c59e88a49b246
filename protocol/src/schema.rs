//! JSON Schema (2020-12) and OpenAPI 3.1 documents generated from the Rust types, so the
//! published contract cannot drift from the code (a test compares them with `protocol/schema/`).

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::backend::*;
use crate::chat::*;
use crate::operator::*;
use crate::order::*;
use crate::preferences::Preferences;
use crate::record::{OwnPromises, PromiseEntry, PromisePage, Record};
use crate::shop::ShopProfile;
use crate::ErrorBody;

/// The protocol version the documents describe.
pub const VERSION: &str = "1.0.0";

fn register(gen: &mut SchemaGenerator) {
    macro_rules! all {
        ($($t:ty),* $(,)?) => { $( gen.subschema_for::<$t>(); )* };
    }
    all!(
        ShopProfile,
        OrderView,
        PromiseEntry,
        PromisePage,
        OwnPromises,
        Record,
        crate::notify::Seen,
        crate::notify::NotificationEntry,
        crate::notify::NotificationResult,
        crate::notify::InboundMail,
        crate::notify::InboundMailTaken,
        Preferences,
        Receipt,
        ErrorBody,
        Message,
        MessagePage,
        NewMessage,
        Event,
        CallbackRequest,
        Callback,
        BrokenPromiseReport,
        Report,
        ConsentAnswer,
        ChangeRequest,
        SurveyAnswer,
        OrderSummary,
        OrderDetail,
        OperatorMessage,
        StatusChange,
        OutOfStock,
        CallLog,
        LoggedCall,
        NewChangeRequest,
        ItemResolution,
        SignIn,
        OperatorMe,
        BackendOrder,
        BackendOrderSaved,
        BackendOrderDetail,
        OrderChanges,
        NewWebhook,
        Webhook,
        Delivery,
        OperatorAccount,
        NewOperator,
        PasswordReset,
        OperatorSaved,
    );
}

fn definitions(path: &str) -> Map<String, Value> {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = path.to_owned().into();
    let mut gen = settings.into_generator();
    register(&mut gen);
    gen.take_definitions(true)
}

/// One JSON Schema document with every protocol type under `$defs`.
pub fn json_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kept.example/schema/kept-v1.schema.json",
        "title": "Kept protocol v1",
        "description": "Wire types of the Kept checkout widget protocol; generated from kept-protocol.",
        "$defs": definitions("/$defs"),
    })
}

fn schema_ref<T: JsonSchema>() -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", T::schema_name()) })
}

fn body<T: JsonSchema>() -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema_ref::<T>() } } })
}

fn ok<T: JsonSchema>(status: &str, what: &str) -> Value {
    let mut responses = Map::new();
    responses.insert(
        status.to_owned(),
        json!({ "description": what, "content": { "application/json": { "schema": schema_ref::<T>() } } }),
    );
    Value::Object(responses)
}

fn no_content(what: &str) -> Value {
    json!({ "204": { "description": what } })
}

/// Every error an operation can answer, in the one error shape; operator operations add 401.
fn errors(security: &str) -> Map<String, Value> {
    let err = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": schema_ref::<ErrorBody>() } } });
    let mut m = Map::new();
    m.insert("400".into(), err("Malformed JSON, or a path or query parameter of the wrong shape (`fields` names it)"));
    if security == "operator" || security == "backend" {
        m.insert("401".into(), err("Missing or wrong credentials"));
    }
    m.insert("404".into(), err("No such order, or a token that does not open it"));
    m.insert("405".into(), err("The path does not take this method"));
    m.insert("409".into(), err("Idempotency conflict, or a state that does not allow this"));
    m.insert("413".into(), err("Body over 64 KiB"));
    m.insert("415".into(), err("A body not sent as application/json"));
    m.insert("422".into(), err("Validation failed; `fields` names each path"));
    m.insert("429".into(), err("Too many requests; Retry-After says when to try again"));
    m
}

/// `success` with every error response of `security`'s operations.
fn with_errors(security: &str, success: Value) -> Value {
    let mut responses = errors(security);
    if let Value::Object(ok) = success {
        responses.extend(ok);
    }
    Value::Object(responses)
}

fn op(summary: &str, security: &str, idempotent: bool, request: Option<Value>, responses: Value) -> Value {
    let responses = with_errors(security, responses);
    let mut o = json!({ "summary": summary, "security": [{ security: [] }], "responses": responses });
    let mut params = vec![];
    if idempotent {
        params.push(json!({ "name": "Idempotency-Key", "in": "header", "required": true,
            "description": "Same key and body replays the first answer; same key, other body: 409",
            "schema": { "type": "string", "maxLength": 128 } }));
    }
    if !params.is_empty() {
        o["parameters"] = Value::Array(params);
    }
    if let Some(r) = request {
        o["requestBody"] = r;
    }
    o
}

/// Each operation's `operationId`, so generated clients get real method names
/// (`submit_preferences`, not `post_v1_orders_order_preferences`).
const OPERATION_IDS: [(&str, &str, &str); 49] = [
    ("get", "/v1/shop", "getShopProfile"),
    ("get", "/v1/orders/{order}", "getOrder"),
    ("post", "/v1/orders/{order}/preferences", "submitPreferences"),
    ("get", "/v1/orders/{order}/messages", "listMessages"),
    ("post", "/v1/orders/{order}/messages", "sendMessage"),
    ("get", "/v1/orders/{order}/events", "streamOrderEvents"),
    ("post", "/v1/orders/{order}/callbacks", "requestCallback"),
    ("post", "/v1/orders/{order}/reports", "reportBrokenPromise"),
    ("post", "/v1/orders/{order}/change-requests/{id}/answer", "answerChangeRequest"),
    ("post", "/v1/orders/{order}/survey", "answerSurvey"),
    ("post", "/v1/orders/{order}/seen", "markSeen"),
    ("post", "/v1/backend/notifications/{id}", "reportNotification"),
    ("post", "/v1/backend/inbound-mail", "receiveInboundMail"),
    ("get", "/v1/orders/{order}/answers/{token}", "showOneTapAnswer"),
    ("post", "/v1/orders/{order}/answers/{token}", "confirmOneTapAnswer"),
    ("get", "/v1/orders/{order}/promises", "listOwnPromises"),
    ("get", "/v1/operator/promises", "listPromisesForOperator"),
    ("get", "/v1/operator/record", "getRecordForOperator"),
    ("get", "/v1/backend/promises", "listPromises"),
    ("get", "/v1/backend/record", "getRecord"),
    ("get", "/v1/operator/orders", "listOrdersForOperator"),
    ("get", "/v1/operator/orders/{order}", "getOrderDetail"),
    ("post", "/v1/operator/orders/{order}/messages", "writeToCustomer"),
    ("post", "/v1/operator/orders/{order}/status", "changeOrderStatus"),
    ("post", "/v1/operator/orders/{order}/items/{item}/out-of-stock", "resolveOutOfStock"),
    ("post", "/v1/operator/orders/{order}/change-requests", "askForChange"),
    ("post", "/v1/operator/orders/{order}/calls", "logCall"),
    ("post", "/v1/operator/orders/{order}/callbacks/{callback}/done", "markCallbackDone"),
    ("get", "/v1/operator/orders/{order}/events", "streamConsoleEvents"),
    ("post", "/v1/operator/shop", "replaceShopProfile"),
    ("post", "/v1/operator/presence", "sendPresence"),
    ("post", "/v1/operator/session", "signIn"),
    ("get", "/v1/operator/session", "getSession"),
    ("delete", "/v1/operator/session", "signOut"),
    ("get", "/v1/operator/webhook-deliveries", "listUndeliveredWebhooks"),
    ("post", "/v1/operator/webhook-deliveries/{id}/retry", "retryWebhookDelivery"),
    ("get", "/v1/backend/orders", "listChangedOrders"),
    ("put", "/v1/backend/orders/{order}", "createOrUpdateOrder"),
    ("get", "/v1/backend/orders/{order}", "getAgreedOrder"),
    ("post", "/v1/backend/orders/{order}/token", "rotateCustomerToken"),
    ("post", "/v1/backend/webhooks", "addWebhook"),
    ("get", "/v1/backend/webhooks", "listWebhooks"),
    ("delete", "/v1/backend/webhooks/{id}", "removeWebhook"),
    ("get", "/v1/backend/operators", "listOperators"),
    ("post", "/v1/backend/operators", "addOperator"),
    ("delete", "/v1/backend/operators/{name}", "removeOperator"),
    ("post", "/v1/backend/operators/{name}/disable", "disableOperator"),
    ("post", "/v1/backend/operators/{name}/enable", "enableOperator"),
    ("post", "/v1/backend/operators/{name}/password", "resetOperatorPassword"),
];

/// The caller an operation is for, by its path: its tag, so generated clients group them.
fn tag(path: &str) -> &'static str {
    if path.starts_with("/v1/operator/") {
        "operator"
    } else if path.starts_with("/v1/backend/") {
        "backend"
    } else {
        "customer"
    }
}

/// Gives every operation of `paths` its `operationId` and its caller's tag.
fn name_operations(paths: &mut Value) {
    let Some(paths) = paths.as_object_mut() else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut().filter(|(m, _)| *m != "parameters") {
            let id = OPERATION_IDS.iter().find(|(m, p, _)| m == method && p == path).map(|(_, _, id)| *id);
            if let (Some(id), Some(operation)) = (id, operation.as_object_mut()) {
                operation.insert("operationId".into(), json!(id));
                operation.insert("tags".into(), json!([tag(path)]));
            }
        }
    }
}

/// The OpenAPI 3.1 document of every endpoint.
pub fn openapi() -> Value {
    let order = json!({ "name": "order", "in": "path", "required": true, "schema": { "type": "string" } });
    let operator = json!({ "name": "name", "in": "path", "required": true, "schema": { "type": "string" } });
    let c = "customer";
    let o = "operator";
    let b = "backend";
    let q = |name: &str, schema: Value| json!({ "name": name, "in": "query", "schema": schema });
    let string = json!({ "type": "string" });
    let format = q("format", json!({ "enum": ["json", "csv"] }));
    let promise_params = json!([
        q("kind", json!({ "enum": ["reply", "callback", "ask_first", "delivery", "deviation", "claim"] })),
        q("state", json!({ "enum": ["open", "kept", "broken", "prevented", "answered", "withdrawn"] })),
        q("operator", string.clone()),
        q("order", string.clone()),
        q("from", json!({ "type": "string", "format": "date-time" })),
        q("to", json!({ "type": "string", "format": "date-time" })),
        q("before", json!({ "type": "integer" })),
        q("limit", json!({ "type": "integer", "minimum": 1, "maximum": 1000 })),
        q("sort", json!({ "enum": ["newest", "due"] })),
        format.clone(),
    ]);
    let record_params = json!([
        q("days", json!({ "type": "integer", "minimum": 1, "maximum": 366 })),
        q("from", json!({ "type": "string", "format": "date" })),
        q("to", json!({ "type": "string", "format": "date" })),
        q("by", json!({ "enum": ["kind", "operator", "day"] })),
        q("kind", json!({ "enum": ["reply", "callback", "ask_first", "delivery", "deviation", "claim"] })),
        format,
    ]);
    let csv_or = |v: Value| {
        let mut v = v;
        v["200"]["content"]["text/csv"] = json!({ "schema": { "type": "string" } });
        v
    };
    let promises = |who: &str| {
        json!({ "get": { "summary": "Promises, newest first (or open ones by due time with sort=due), filtered and paged; also CSV",
        "security": [{ who: [] }], "parameters": promise_params.clone(),
        "responses": with_errors(who, csv_or(ok::<PromisePage>("200", "A page"))) } })
    };
    let record = |who: &str| {
        json!({ "get": { "summary": "The record over the shop's local days, by kind, operator or day; also CSV",
        "security": [{ who: [] }], "parameters": record_params.clone(),
        "responses": with_errors(who, csv_or(ok::<Record>("200", "The record"))) } })
    };
    let mut paths = json!({
        "/v1/shop": { "get": { "summary": "Shop profile with availability and measured reply time", "security": [],
            "responses": with_errors("public", ok::<ShopProfile>("200", "The shop")) } },
        "/v1/orders/{order}": { "parameters": [order], "get": op("Order view", c, false, None, ok::<OrderView>("200", "The order")) },
        "/v1/orders/{order}/preferences": { "parameters": [order],
            "post": op("Agree preferences; each change is a new version", c, true, Some(body::<Preferences>()), ok::<Receipt>("201", "The receipt")) },
        "/v1/orders/{order}/messages": { "parameters": [order],
            "get": { "summary": "Messages, oldest first; `after` catches up, `before` pages back", "security": [{ c: [] }],
                "parameters": [
                    { "name": "after", "in": "query", "schema": { "type": "integer" } },
                    { "name": "before", "in": "query", "schema": { "type": "integer" } },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200 } }
                ],
                "responses": with_errors(c, ok::<MessagePage>("200", "A page")) },
            "post": op("Send a message (de-duplicated by client_id; 429 with Retry-After when too fast)", c, true,
                Some(body::<NewMessage>()), json!({
                    "201": ok::<Message>("201", "The stored message")["201"],
                    "200": ok::<Message>("200", "The same client_id again: the message stored the first time")["200"] })) },
        "/v1/orders/{order}/events": { "parameters": [order],
            "get": { "summary": "Server-Sent Events; `id` is the event id, `event` its type, `data` the Event data; resume with Last-Event-ID",
                "security": [{ c: [] }],
                "parameters": [
                    { "name": "Last-Event-ID", "in": "header", "schema": { "type": "integer" } },
                    { "name": "last_event_id", "in": "query", "schema": { "type": "integer" } },
                    { "name": "access_token", "in": "query", "schema": { "type": "string" } }
                ],
                "responses": with_errors(c, json!({ "200": { "description": "text/event-stream of Event",
                    "content": { "text/event-stream": { "schema": schema_ref::<Event>() } } } })) } },
        "/v1/orders/{order}/callbacks": { "parameters": [order],
            "post": op("Ask for a callback in a window inside working hours", c, true, Some(body::<CallbackRequest>()), ok::<Callback>("201", "The promise")) },
        "/v1/orders/{order}/reports": { "parameters": [order],
            "post": op("The shop broke this promise", c, true, Some(body::<BrokenPromiseReport>()), ok::<Report>("201", "The report")) },
        "/v1/orders/{order}/change-requests/{id}/answer": {
            "parameters": [order, { "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "post": op("Accept or decline a change the shop asks for", c, true, Some(body::<ConsentAnswer>()), ok::<ChangeRequest>("200", "The answered request")) },
        "/v1/orders/{order}/survey": { "parameters": [order],
            "post": op("Answer the one-question survey after delivery", c, true, Some(body::<SurveyAnswer>()), ok::<SurveyAnswer>("201", "Stored")) },
        "/v1/operator/orders": { "get": { "summary": "Orders, what needs attention first", "security": [{ o: [] }],
            "responses": with_errors(o, json!({ "200": { "description": "Orders", "content": { "application/json": {
                "schema": { "type": "array", "items": schema_ref::<OrderSummary>() } } } } })) } },
        "/v1/operator/orders/{order}": { "parameters": [order], "get": op("Order detail", o, false, None, ok::<OrderDetail>("200", "The order")) },
        "/v1/operator/orders/{order}/messages": { "parameters": [order],
            "post": op("Write to the customer", o, true, Some(body::<OperatorMessage>()), ok::<Message>("201", "The message")) },
        "/v1/operator/orders/{order}/status": { "parameters": [order],
            "post": op("Change the order status", o, false, Some(body::<StatusChange>()), ok::<StatusChange>("200", "The status")) },
        "/v1/operator/orders/{order}/items/{item}/out-of-stock": {
            "parameters": [order, { "name": "item", "in": "path", "required": true, "schema": { "type": "string" } }],
            "post": op("Resolve a missing item by the customer's rule", o, false, Some(body::<OutOfStock>()), ok::<ItemResolution>("200", "What was done")) },
        "/v1/operator/orders/{order}/change-requests": { "parameters": [order],
            "post": op("Ask the customer to accept a change", o, true, Some(body::<NewChangeRequest>()), ok::<ChangeRequest>("201", "The request")) },
        "/v1/operator/orders/{order}/calls": { "parameters": [order],
            "post": op("Log a phone call; refused (422, contact.do_not_call) for a customer who said do not call", o, true,
                Some(body::<CallLog>()), ok::<LoggedCall>("201", "Logged")) },
        "/v1/operator/orders/{order}/callbacks/{callback}/done": {
            "parameters": [order, { "name": "callback", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "post": op("Mark a callback done", o, false, None, no_content("Done")) },
        "/v1/operator/orders/{order}/events": { "parameters": [order],
            "get": op("The order's live events for the console (operator token in Authorization or access_token)", o, false,
                None, json!({ "200": { "description": "text/event-stream of Event" } })) },
        "/v1/operator/shop": { "post": op("Replace the shop profile (hours, holidays, offers, FAQ)", o, false,
            Some(body::<ShopProfile>()), no_content("Saved")) },
        "/v1/operator/presence": { "post": op("Operator heartbeat", o, false, None, no_content("Seen")) },
        "/v1/operator/session": {
            "post": { "summary": "A named operator signs in (sets an HttpOnly, SameSite=Strict session cookie); repeated failures answer 429",
                "security": [], "requestBody": body::<SignIn>(), "responses": with_errors(o, ok::<OperatorMe>("200", "Signed in")) },
            "get": op("Who is signed in", o, false, None, ok::<OperatorMe>("200", "The operator")),
            "delete": op("Sign out", o, false, None, no_content("Signed out")) },
        "/v1/operator/webhook-deliveries": { "get": op("Webhooks not yet delivered (retrying or given up)", o, false, None,
            json!({ "200": { "description": "Deliveries", "content": { "application/json": {
                "schema": { "type": "array", "items": schema_ref::<Delivery>() } } } } })) },
        "/v1/operator/webhook-deliveries/{id}/retry": {
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "post": op("Send a delivery again now", o, false, None, no_content("Queued")) },
        "/v1/backend/orders": { "get": { "summary": "Orders changed since a cursor, oldest change first", "security": [{ b: [] }],
            "parameters": [
                { "name": "after", "in": "query", "schema": { "type": "integer" } },
                { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 500 } }
            ],
            "responses": with_errors(b, ok::<OrderChanges>("200", "Changed orders")) } },
        "/v1/backend/orders/{order}": { "parameters": [order],
            "put": { "summary": "Create (201, with the customer token) or update (200) an order by the shop's id", "security": [{ b: [] }],
                "requestBody": body::<BackendOrder>(),
                "responses": with_errors(b, json!({ "201": ok::<BackendOrderSaved>("201", "Created")["201"],
                    "200": ok::<BackendOrderSaved>("200", "Updated")["200"] })) },
            "get": op("The order with every agreed version", b, false, None, ok::<BackendOrderDetail>("200", "The order")) },
        "/v1/backend/orders/{order}/token": { "parameters": [order],
            "post": op("A new customer token; the old one stops working", b, false, None, ok::<BackendOrderSaved>("200", "The new token")) },
        "/v1/backend/webhooks": {
            "post": op("Add a webhook endpoint; its whsec_ secret is shown once", b, false, Some(body::<NewWebhook>()), ok::<Webhook>("201", "The endpoint")),
            "get": op("Webhook endpoints, without secrets", b, false, None, json!({ "200": { "description": "Endpoints",
                "content": { "application/json": { "schema": { "type": "array", "items": schema_ref::<Webhook>() } } } } })) },
        "/v1/backend/webhooks/{id}": {
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "delete": op("Remove a webhook endpoint and what it had not been sent", b, false, None, no_content("Removed")) },
        "/v1/backend/operators": {
            "get": op("The shop's people (operator accounts), by name", b, false, None, json!({ "200": { "description": "Operators",
                "content": { "application/json": { "schema": { "type": "array", "items": schema_ref::<OperatorAccount>() } } } } })),
            "post": op("Add a person; without a password one is made and answered once (409 when the name is taken)", b, false,
                Some(body::<NewOperator>()), ok::<OperatorSaved>("201", "Added")) },
        "/v1/backend/operators/{name}": { "parameters": [operator],
            "delete": op("Remove a person and end their sessions; their past actions stay attributed", b, false, None, no_content("Removed")) },
        "/v1/backend/operators/{name}/disable": { "parameters": [operator],
            "post": op("Disable a person: no sign-in, and their sessions and open event streams end at once", b, false, None,
                ok::<OperatorAccount>("200", "Disabled")) },
        "/v1/backend/operators/{name}/enable": { "parameters": [operator],
            "post": op("Enable a disabled person again", b, false, None, ok::<OperatorAccount>("200", "Enabled")) },
        "/v1/backend/operators/{name}/password": { "parameters": [operator],
            "post": op("Set a new password (made and answered once when none is given); every old session ends", b, false,
                Some(body::<PasswordReset>()), ok::<OperatorSaved>("200", "Changed")) },
    });
    paths["/v1/orders/{order}/promises"] = json!({ "parameters": [order],
        "get": { "summary": "What Kept promised on this order and what became of it, also in her words (`locale`), with the shop's trust line when it shows it",
            "security": [{ c: [] }], "parameters": [q("locale", json!({ "enum": ["en", "ru", "pl", "uk", "de"] }))],
            "responses": with_errors(c, ok::<OwnPromises>("200", "Her promises")) } });
    paths["/v1/orders/{order}/seen"] = json!({ "parameters": [order],
        "post": op("What she has on screen in a visible tab (no body: all the order has now); never sent to her channel",
            c, false, Some(body::<crate::notify::Seen>()), no_content("Marked")) });
    paths["/v1/backend/notifications/{id}"] = json!({
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
        "post": op("What the shop's provider made of a notification.requested", b, false,
            Some(body::<crate::notify::NotificationResult>()), ok::<crate::notify::NotificationEntry>("200", "The notification")) });
    let mut taken = ok::<crate::notify::InboundMailTaken>("201", "Her message");
    if let (Value::Object(m), Value::Object(again)) =
        (&mut taken, ok::<crate::notify::InboundMailTaken>("200", "This Message-ID was taken in before"))
    {
        m.extend(again);
    }
    paths["/v1/backend/inbound-mail"] = json!({
        "post": op("A mail her reply address received, from the shop's mail provider (the whole message, or its parts): her message in the order's chat", b, false,
            Some(body::<crate::notify::InboundMail>()), taken) });
    let page =
        |what: &str| json!({ "description": what, "content": { "text/html": { "schema": { "type": "string" } } } });
    let answer_params = json!([order, { "name": "token", "in": "path", "required": true, "schema": { "type": "string" },
        "description": "The link's signed token: the request, the answer and the expiry" }]);
    let pages = |ok: &str| {
        let bad = json!({ "description": "A path parameter that cannot be one (`fields` names it)",
            "content": { "application/json": { "schema": schema_ref::<ErrorBody>() } } });
        json!({ "200": page(ok), "404": page("Not a link of this order"), "409": page("Already answered"),
            "410": page("Expired, ran out, or withdrawn"), "422": bad })
    };
    paths["/v1/orders/{order}/answers/{token}"] = json!({ "parameters": answer_params,
        "get": { "summary": "The page a one-tap link from a notification opens: the question and a confirming button; answers nothing",
            "security": [], "responses": pages("The question") },
        "post": { "summary": "The confirming tap: answers the request through the widget's write path; single-use",
            "security": [], "responses": pages("Answered") } });
    paths["/v1/operator/promises"] = promises(o);
    paths["/v1/operator/record"] = record(o);
    paths["/v1/backend/promises"] = promises(b);
    paths["/v1/backend/record"] = record(b);
    name_operations(&mut paths);
    json!({
        "openapi": "3.1.0",
        "tags": [
            { "name": "customer", "description": "The customer's widget, with an order-scoped token" },
            { "name": "operator", "description": "The shop's people in the console: a named operator's session, or the operator token" },
            { "name": "backend", "description": "The shop's own servers, with a backend API key" }
        ],
        "info": { "title": "Kept protocol", "version": VERSION,
            "description": "The contract between the Kept widget and any backend. kept-server is the reference implementation." },
        "paths": paths,
        "components": {
            "schemas": definitions("/components/schemas"),
            "securitySchemes": {
                "customer": { "type": "http", "scheme": "bearer", "description": "Order-scoped customer token" },
                "operator": { "type": "http", "scheme": "bearer", "description": "Operator token from the server's configuration, or a named operator's session cookie" },
                "backend": { "type": "http", "scheme": "bearer", "description": "A backend API key (--backend-key) of the shop's own servers" }
            }
        }
    })
}
