//! Every string the console shows, in en, ru and pl.

use kept_protocol::Locale;

/// A piece of console text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum T {
    Title,
    SignIn,
    TokenLabel,
    TokenRefused,
    NameLabel,
    PasswordLabel,
    WrongPassword,
    TooManyAttempts,
    OrToken,
    Undelivered,
    SendAgain,
    SignOut,
    Orders,
    PickOrder,
    NoOrders,
    Waiting,
    Promised,
    CallbacksDue,
    ChangeRequests,
    Reports,
    Agreement,
    NoAgreement,
    DoNotCall,
    Items,
    Rule,
    OutOfStock,
    ReplacementFor,
    Substitute,
    Contact,
    LogCall,
    CallLogged,
    CallRefused,
    Callbacks,
    MarkDone,
    CallbackPending,
    CallbackOverdue,
    CallbackDone,
    AskChange,
    ChangeKind,
    Prepayment,
    OtherSubstitution,
    Reason,
    SendRequest,
    RequestSent,
    Status,
    SetStatus,
    Timeline,
    Chat,
    Message,
    Send,
    Customer,
    You,
    System,
    Bot,
    AboveCap,
    Failed,
    Loading,
    Done,
    Minutes,
    Language,
    Reported,
    Price,
    ReasonNeeded,
    OtherSlot,
    Method,
    Replacement,
    SlotStart,
    SlotEnd,
}

/// The languages the console speaks (the customer-facing catalogs speak more).
pub const LOCALES: [Locale; 3] = [Locale::En, Locale::Ru, Locale::Pl];

/// Picks the console's own text for a locale of [`LOCALES`].
pub trait Pick {
    fn pick(self, en: &'static str, ru: &'static str, pl: &'static str) -> &'static str;
}

impl Pick for Locale {
    fn pick(self, en: &'static str, ru: &'static str, pl: &'static str) -> &'static str {
        match self {
            Locale::Ru => ru,
            Locale::Pl => pl,
            _ => en,
        }
    }
}

/// The catalog words for the names of protocol values, in the console's language.
pub fn words(l: Locale) -> &'static dyn kept_protocol::Words {
    kept_protocol::catalog::words(l)
}

impl T {
    /// This text in `l`.
    pub fn get(self, l: Locale) -> &'static str {
        use T::*;
        match self {
            Title => l.pick("Kept console", "Консоль Kept", "Konsola Kept"),
            SignIn => l.pick("Sign in", "Войти", "Zaloguj się"),
            TokenLabel => l.pick("Operator token", "Токен оператора", "Token operatora"),
            NameLabel => l.pick("Your name", "Ваше имя", "Twoja nazwa"),
            PasswordLabel => l.pick("Password", "Пароль", "Hasło"),
            WrongPassword => {
                l.pick("Wrong name or password.", "Неверное имя или пароль.", "Nieprawidłowa nazwa lub hasło.")
            }
            TooManyAttempts => l.pick(
                "Too many wrong passwords. Try again in minutes:",
                "Слишком много неверных паролей. Попробуйте снова через минут:",
                "Zbyt wiele błędnych haseł. Spróbuj ponownie za minut:",
            ),
            OrToken => l.pick(
                "Scripts and tests may sign in with the server's operator token instead:",
                "Скрипты и тесты могут войти по токену оператора сервера:",
                "Skrypty i testy mogą zamiast tego użyć tokenu operatora serwera:",
            ),
            Undelivered => l.pick(
                "Webhooks not delivered to the shop's systems",
                "Вебхуки, не доставленные в системы магазина",
                "Webhooki niedostarczone do systemów sklepu",
            ),
            SendAgain => l.pick("Send again", "Отправить снова", "Wyślij ponownie"),
            TokenRefused => l.pick(
                "This token is not accepted. Check it and try again.",
                "Этот токен не принят. Проверьте его и попробуйте ещё раз.",
                "Ten token nie został przyjęty. Sprawdź go i spróbuj ponownie.",
            ),
            SignOut => l.pick("Sign out", "Выйти", "Wyloguj się"),
            Orders => l.pick("Orders, what needs you first", "Заказы: сначала срочное", "Zamówienia: najpierw pilne"),
            PickOrder => l.pick("Pick an order on the left.", "Выберите заказ слева.", "Wybierz zamówienie po lewej."),
            NoOrders => l.pick("No orders yet.", "Заказов пока нет.", "Na razie brak zamówień."),
            Waiting => l.pick("Customer waiting", "Клиент ждёт", "Klient czeka"),
            Promised => l.pick("promised", "обещано", "obiecano"),
            CallbacksDue => l.pick("Callbacks due", "Пора перезвонить", "Do oddzwonienia"),
            ChangeRequests => l.pick("Unanswered requests", "Запросы без ответа", "Prośby bez odpowiedzi"),
            Reports => l.pick("Broken-promise reports", "Жалобы на нарушение", "Zgłoszenia naruszeń"),
            Agreement => l.pick("The customer's agreement", "Договорённость с клиентом", "Umowa z klientem"),
            NoAgreement => l.pick(
                "No agreement yet: ask the customer in the chat before changing anything.",
                "Договорённости пока нет: прежде чем что-то менять, спросите клиента в чате.",
                "Brak umowy: zanim cokolwiek zmienisz, zapytaj klienta na czacie.",
            ),
            DoNotCall => l.pick("DO NOT CALL", "НЕ ЗВОНИТЬ", "NIE DZWONIĆ"),
            Items => l.pick("Items", "Товары", "Produkty"),
            Rule => l.pick("If missing", "Если нет", "Gdy brak"),
            OutOfStock => l.pick("Out of stock", "Нет в наличии", "Brak w magazynie"),
            ReplacementFor => l.pick("Replacement for", "Замена для", "Zamiennik dla"),
            Substitute => l.pick("Out of stock: substitute", "Нет в наличии: заменить", "Brak: zastąp"),
            Contact => l.pick("Contact", "Связь", "Kontakt"),
            LogCall => l.pick("Log a phone call", "Записать звонок", "Zapisz rozmowę telefoniczną"),
            CallLogged => l.pick("Call logged.", "Звонок записан.", "Rozmowa zapisana."),
            CallRefused => l.pick(
                "Refused: the customer said do not call. Use instead:",
                "Отказано: клиент просил не звонить. Используйте:",
                "Odmowa: klient prosił, by nie dzwonić. Użyj zamiast tego:",
            ),
            Callbacks => l.pick("Callbacks", "Обратные звонки", "Oddzwonienia"),
            MarkDone => l.pick("Mark done", "Отметить сделанным", "Oznacz jako wykonane"),
            CallbackPending => l.pick("promised", "обещан", "obiecane"),
            CallbackOverdue => l.pick("OVERDUE", "ПРОСРОЧЕН", "ZALEGŁE"),
            CallbackDone => l.pick("done", "сделан", "wykonane"),
            AskChange => l.pick(
                "Ask the customer to accept a change",
                "Попросить клиента согласиться на изменение",
                "Poproś klienta o zgodę na zmianę",
            ),
            ChangeKind => l.pick("Change", "Изменение", "Zmiana"),
            Prepayment => l.pick("Pay another way", "Оплатить иначе", "Zapłacić inaczej"),
            OtherSubstitution => l.pick("Substitution outside the rule", "Замена вне правила", "Zamiana poza zasadą"),
            Reason => l.pick(
                "Why (the customer reads this)",
                "Почему (это прочитает клиент)",
                "Dlaczego (klient to przeczyta)",
            ),
            SendRequest => l.pick("Ask the customer", "Спросить клиента", "Zapytaj klienta"),
            RequestSent => l.pick(
                "Asked. Nothing changes until the customer accepts.",
                "Запрос отправлен. Ничего не изменится без согласия клиента.",
                "Wysłano. Nic się nie zmieni bez zgody klienta.",
            ),
            Status => l.pick("Status", "Статус", "Status"),
            SetStatus => l.pick("Set status", "Сменить статус", "Zmień status"),
            Timeline => l.pick("What the customer sees", "Что видит клиент", "Co widzi klient"),
            Chat => l.pick("Chat with the customer", "Чат с клиентом", "Czat z klientem"),
            Message => l.pick("Your message", "Ваше сообщение", "Twoja wiadomość"),
            Send => l.pick("Send", "Отправить", "Wyślij"),
            Customer => l.pick("Customer", "Клиент", "Klient"),
            You => l.pick("Shop", "Магазин", "Sklep"),
            System => l.pick("System", "Система", "System"),
            Bot => l.pick("Bot", "Бот", "Bot"),
            AboveCap => l.pick(
                "Refused: above the customer's price cap. Pick another or ask them with a change request.",
                "Отказано: дороже, чем разрешил клиент. Выберите другую замену или спросите клиента.",
                "Odmowa: drożej, niż pozwolił klient. Wybierz inny zamiennik lub zapytaj klienta.",
            ),
            Failed => l.pick(
                "That did not go through. Try again.",
                "Не получилось. Попробуйте ещё раз.",
                "Nie udało się. Spróbuj ponownie.",
            ),
            Loading => l.pick("Loading…", "Загрузка…", "Ładowanie…"),
            Done => l.pick("Done:", "Сделано:", "Zrobione:"),
            Minutes => l.pick("min", "мин", "min"),
            Language => l.pick("Language", "Язык", "Język"),
            Reported => l.pick("Reported broken", "Заявлено нарушение", "Zgłoszono naruszenie"),
            Price => l.pick("Price", "Цена", "Cena"),
            ReasonNeeded => l.pick(
                "Say why: the customer reads it before deciding.",
                "Объясните причину: клиент прочитает её перед решением.",
                "Podaj powód: klient przeczyta go przed decyzją.",
            ),
            OtherSlot => l.pick("Another delivery slot", "Другое время доставки", "Inny termin dostawy"),
            Method => l.pick("Payment method", "Способ оплаты", "Metoda płatności"),
            Replacement => l.pick("Replacement", "Замена", "Zamiennik"),
            SlotStart => l.pick("From", "С", "Od"),
            SlotEnd => l.pick("To", "До", "Do"),
        }
    }
}

/// The console's language: `?locale=` first, then the browser's.
pub fn locale() -> Locale {
    let window = web_sys::window();
    let query = window.as_ref().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let from_query = query.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix("locale="));
    let browser = window.and_then(|w| w.navigator().language()).unwrap_or_default();
    Locale::negotiate_among([from_query.unwrap_or(""), browser.as_str()], &LOCALES)
}
