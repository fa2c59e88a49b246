//! Every string the console shows, in en, ru, pl, uk and de.

use kept_protocol::Locale;

/// Declares the texts and the list of all of them (the test reads every one in every language).
macro_rules! texts {
    ($($text:ident),* $(,)?) => {
        /// A piece of console text.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum T {
            $($text),*
        }

        impl T {
            /// Every text.
            #[cfg(test)]
            pub const ALL: &'static [T] = &[$(T::$text),*];
        }
    };
}

texts!(
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
    Promises,
    Notifications,
    NotifyPending,
    NotifySeen,
    NotifyNoChannel,
    NotifySent,
    NotifyRequested,
    NotifyDelivered,
    NotifyFailed,
    Record,
    KindReply,
    KindCallback,
    KindAskFirst,
    KindDelivery,
    KindDeviation,
    KindClaim,
    StateOpen,
    StateKept,
    StateBroken,
    StatePrevented,
    StateAnswered,
    StateWithdrawn,
    Due,
    ClosedAt,
    Nobody,
    KeptShare,
    BrokenCount,
    PreventedCount,
    ClaimsCount,
    SurveysCount,
    ByKind,
    ByOperator,
    ByDay,
    LastDays,
    DueNext,
    BrokenOnes,
    KindColumn,
    OperatorColumn,
    DayColumn,
    TotalRow,
    ChartLabel,
    Overdue,
    MinutesLeft,
);

/// The languages the console speaks: the customer's five.
pub const LOCALES: [Locale; 5] = [Locale::En, Locale::Ru, Locale::Pl, Locale::Uk, Locale::De];

/// Picks the console's own text for a locale of [`LOCALES`].
pub trait Pick {
    fn pick(
        self,
        en: &'static str,
        ru: &'static str,
        pl: &'static str,
        uk: &'static str,
        de: &'static str,
    ) -> &'static str;
}

impl Pick for Locale {
    fn pick(
        self,
        en: &'static str,
        ru: &'static str,
        pl: &'static str,
        uk: &'static str,
        de: &'static str,
    ) -> &'static str {
        match self {
            Locale::Ru => ru,
            Locale::Pl => pl,
            Locale::Uk => uk,
            Locale::De => de,
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
            Title => l.pick("Kept console", "Консоль Kept", "Konsola Kept", "Консоль Kept", "Kept-Konsole"),
            SignIn => l.pick("Sign in", "Войти", "Zaloguj się", "Увійти", "Anmelden"),
            TokenLabel => l.pick("Operator token", "Токен оператора", "Token operatora", "Токен оператора", "Operator-Token"),
            NameLabel => l.pick("Your name", "Ваше имя", "Twoja nazwa", "Ваше ім’я", "Ihr Name"),
            PasswordLabel => l.pick("Password", "Пароль", "Hasło", "Пароль", "Passwort"),
            WrongPassword => {
                l.pick("Wrong name or password.", "Неверное имя или пароль.", "Nieprawidłowa nazwa lub hasło.", "Неправильне ім’я або пароль.", "Falscher Name oder falsches Passwort.")
            }
            TooManyAttempts => l.pick(
                "Too many wrong passwords. Try again in minutes:",
                "Слишком много неверных паролей. Попробуйте снова через минут:",
                "Zbyt wiele błędnych haseł. Spróbuj ponownie za minut:",
                "Забагато неправильних паролів. Спробуйте знову через хвилин:",
                "Zu viele falsche Passwörter. Erneut versuchen in Minuten:",
            ),
            OrToken => l.pick(
                "Scripts and tests may sign in with the server's operator token instead:",
                "Скрипты и тесты могут войти по токену оператора сервера:",
                "Skrypty i testy mogą zamiast tego użyć tokenu operatora serwera:",
                "Скрипти й тести можуть натомість увійти за токеном оператора сервера:",
                "Skripte und Tests können sich stattdessen mit dem Operator-Token des Servers anmelden:",
            ),
            Undelivered => l.pick(
                "Webhooks not delivered to the shop's systems",
                "Вебхуки, не доставленные в системы магазина",
                "Webhooki niedostarczone do systemów sklepu",
                "Вебхуки, не доставлені в системи магазину",
                "Nicht an die Systeme des Shops zugestellte Webhooks",
            ),
            SendAgain => l.pick("Send again", "Отправить снова", "Wyślij ponownie", "Надіслати знову", "Erneut senden"),
            TokenRefused => l.pick(
                "This token is not accepted. Check it and try again.",
                "Этот токен не принят. Проверьте его и попробуйте ещё раз.",
                "Ten token nie został przyjęty. Sprawdź go i spróbuj ponownie.",
                "Цей токен не прийнято. Перевірте його й спробуйте знову.",
                "Dieses Token wird nicht akzeptiert. Prüfen Sie es und versuchen Sie es erneut.",
            ),
            SignOut => l.pick("Sign out", "Выйти", "Wyloguj się", "Вийти", "Abmelden"),
            Orders => l.pick("Orders, what needs you first", "Заказы: сначала срочное", "Zamówienia: najpierw pilne", "Замовлення: спершу те, що чекає на вас", "Bestellungen, das Dringendste zuerst"),
            PickOrder => l.pick("Pick an order on the left.", "Выберите заказ слева.", "Wybierz zamówienie po lewej.", "Виберіть замовлення ліворуч.", "Wählen Sie links eine Bestellung."),
            NoOrders => l.pick("No orders yet.", "Заказов пока нет.", "Na razie brak zamówień.", "Замовлень ще немає.", "Noch keine Bestellungen."),
            Waiting => l.pick("Customer waiting", "Клиент ждёт", "Klient czeka", "Клієнт чекає", "Kunde wartet"),
            Promised => l.pick("promised", "обещано", "obiecano", "обіцяно", "versprochen"),
            CallbacksDue => l.pick("Callbacks due", "Пора перезвонить", "Do oddzwonienia", "Час передзвонити", "Fällige Rückrufe"),
            ChangeRequests => l.pick("Unanswered requests", "Запросы без ответа", "Prośby bez odpowiedzi", "Запити без відповіді", "Unbeantwortete Anfragen"),
            Reports => l.pick("Broken-promise reports", "Жалобы на нарушение", "Zgłoszenia naruszeń", "Скарги на порушення", "Meldungen gebrochener Zusagen"),
            Agreement => l.pick("The customer's agreement", "Договорённость с клиентом", "Umowa z klientem", "Домовленість із клієнтом", "Die Vereinbarung mit dem Kunden"),
            NoAgreement => l.pick(
                "No agreement yet: ask the customer in the chat before changing anything.",
                "Договорённости пока нет: прежде чем что-то менять, спросите клиента в чате.",
                "Brak umowy: zanim cokolwiek zmienisz, zapytaj klienta na czacie.",
                "Домовленості ще немає: запитайте клієнта в чаті, перш ніж щось змінювати.",
                "Noch keine Vereinbarung: Fragen Sie den Kunden im Chat, bevor Sie etwas ändern.",
            ),
            DoNotCall => l.pick("DO NOT CALL", "НЕ ЗВОНИТЬ", "NIE DZWONIĆ", "НЕ ТЕЛЕФОНУВАТИ", "NICHT ANRUFEN"),
            Items => l.pick("Items", "Товары", "Produkty", "Товари", "Artikel"),
            Rule => l.pick("If missing", "Если нет", "Gdy brak", "Якщо немає", "Falls nicht vorrätig"),
            OutOfStock => l.pick("Out of stock", "Нет в наличии", "Brak w magazynie", "Немає в наявності", "Nicht vorrätig"),
            ReplacementFor => l.pick("Replacement for", "Замена для", "Zamiennik dla", "Заміна для", "Ersatz für"),
            Substitute => l.pick("Out of stock: substitute", "Нет в наличии: заменить", "Brak: zastąp", "Немає в наявності: замінити", "Nicht vorrätig: ersetzen"),
            Contact => l.pick("Contact", "Связь", "Kontakt", "Зв’язок", "Kontakt"),
            LogCall => l.pick("Log a phone call", "Записать звонок", "Zapisz rozmowę telefoniczną", "Записати дзвінок", "Anruf erfassen"),
            CallLogged => l.pick("Call logged.", "Звонок записан.", "Rozmowa zapisana.", "Дзвінок записано.", "Anruf erfasst."),
            CallRefused => l.pick(
                "Refused: the customer said do not call. Use instead:",
                "Отказано: клиент просил не звонить. Используйте:",
                "Odmowa: klient prosił, by nie dzwonić. Użyj zamiast tego:",
                "Відмовлено: клієнт просив не телефонувати. Натомість використайте:",
                "Abgelehnt: Der Kunde möchte nicht angerufen werden. Nutzen Sie stattdessen:",
            ),
            Callbacks => l.pick("Callbacks", "Обратные звонки", "Oddzwonienia", "Зворотні дзвінки", "Rückrufe"),
            MarkDone => l.pick("Mark done", "Отметить сделанным", "Oznacz jako wykonane", "Позначити виконаним", "Als erledigt markieren"),
            CallbackPending => l.pick("promised", "обещан", "obiecane", "обіцяно", "versprochen"),
            CallbackOverdue => l.pick("OVERDUE", "ПРОСРОЧЕН", "ZALEGŁE", "ПРОСТРОЧЕНО", "ÜBERFÄLLIG"),
            CallbackDone => l.pick("done", "сделан", "wykonane", "виконано", "erledigt"),
            AskChange => l.pick(
                "Ask the customer to accept a change",
                "Попросить клиента согласиться на изменение",
                "Poproś klienta o zgodę na zmianę",
                "Попросити клієнта погодити зміну",
                "Den Kunden um Zustimmung zu einer Änderung bitten",
            ),
            ChangeKind => l.pick("Change", "Изменение", "Zmiana", "Зміна", "Änderung"),
            Prepayment => l.pick("Pay another way", "Оплатить иначе", "Zapłacić inaczej", "Інший спосіб оплати", "Andere Zahlungsart"),
            OtherSubstitution => l.pick("Substitution outside the rule", "Замена вне правила", "Zamiana poza zasadą", "Заміна поза правилом", "Ersatz außerhalb der Regel"),
            Reason => l.pick(
                "Why (the customer reads this)",
                "Почему (это прочитает клиент)",
                "Dlaczego (klient to przeczyta)",
                "Чому (клієнт це прочитає)",
                "Warum (der Kunde liest das)",
            ),
            SendRequest => l.pick("Ask the customer", "Спросить клиента", "Zapytaj klienta", "Запитати клієнта", "Den Kunden fragen"),
            RequestSent => l.pick(
                "Asked. Nothing changes until the customer accepts.",
                "Запрос отправлен. Ничего не изменится без согласия клиента.",
                "Wysłano. Nic się nie zmieni bez zgody klienta.",
                "Запитано. Нічого не зміниться, доки клієнт не погодиться.",
                "Gefragt. Nichts ändert sich, bis der Kunde zustimmt.",
            ),
            Status => l.pick("Status", "Статус", "Status", "Статус", "Status"),
            SetStatus => l.pick("Set status", "Сменить статус", "Zmień status", "Змінити статус", "Status setzen"),
            Timeline => l.pick("What the customer sees", "Что видит клиент", "Co widzi klient", "Що бачить клієнт", "Was der Kunde sieht"),
            Chat => l.pick("Chat with the customer", "Чат с клиентом", "Czat z klientem", "Чат із клієнтом", "Chat mit dem Kunden"),
            Message => l.pick("Your message", "Ваше сообщение", "Twoja wiadomość", "Ваше повідомлення", "Ihre Nachricht"),
            Send => l.pick("Send", "Отправить", "Wyślij", "Надіслати", "Senden"),
            Customer => l.pick("Customer", "Клиент", "Klient", "Клієнт", "Kunde"),
            You => l.pick("Shop", "Магазин", "Sklep", "Магазин", "Shop"),
            System => l.pick("System", "Система", "System", "Система", "System"),
            Bot => l.pick("Bot", "Бот", "Bot", "Бот", "Bot"),
            AboveCap => l.pick(
                "Refused: above the customer's price cap. Pick another or ask them with a change request.",
                "Отказано: дороже, чем разрешил клиент. Выберите другую замену или спросите клиента.",
                "Odmowa: drożej, niż pozwolił klient. Wybierz inny zamiennik lub zapytaj klienta.",
                "Відмовлено: дорожче, ніж дозволив клієнт. Виберіть іншу заміну або запитайте клієнта запитом на зміну.",
                "Abgelehnt: teurer, als der Kunde erlaubt. Wählen Sie einen anderen Ersatz oder fragen Sie ihn mit einer Änderungsanfrage.",
            ),
            Failed => l.pick(
                "That did not go through. Try again.",
                "Не получилось. Попробуйте ещё раз.",
                "Nie udało się. Spróbuj ponownie.",
                "Не вдалося. Спробуйте ще раз.",
                "Das hat nicht geklappt. Versuchen Sie es erneut.",
            ),
            Loading => l.pick("Loading…", "Загрузка…", "Ładowanie…", "Завантаження…", "Wird geladen…"),
            Done => l.pick("Done:", "Сделано:", "Zrobione:", "Зроблено:", "Erledigt:"),
            Minutes => l.pick("min", "мин", "min", "хв", "Min."),
            Language => l.pick("Language", "Язык", "Język", "Мова", "Sprache"),
            Reported => l.pick("Reported broken", "Заявлено нарушение", "Zgłoszono naruszenie", "Заявлено порушення", "Als gebrochen gemeldet"),
            Price => l.pick("Price", "Цена", "Cena", "Ціна", "Preis"),
            ReasonNeeded => l.pick(
                "Say why: the customer reads it before deciding.",
                "Объясните причину: клиент прочитает её перед решением.",
                "Podaj powód: klient przeczyta go przed decyzją.",
                "Поясніть причину: клієнт прочитає її, перш ніж вирішити.",
                "Sagen Sie, warum: Der Kunde liest es, bevor er entscheidet.",
            ),
            OtherSlot => l.pick("Another delivery slot", "Другое время доставки", "Inny termin dostawy", "Інший час доставки", "Anderes Lieferfenster"),
            Method => l.pick("Payment method", "Способ оплаты", "Metoda płatności", "Спосіб оплати", "Zahlungsart"),
            Replacement => l.pick("Replacement", "Замена", "Zamiennik", "Заміна", "Ersatz"),
            SlotStart => l.pick("From", "С", "Od", "З", "Von"),
            SlotEnd => l.pick("To", "До", "Do", "До", "Bis"),
            Promises => l.pick("Promises", "Обещания", "Obietnice", "Обіцянки", "Versprechen"),
            Notifications => l.pick("Followed her", "Догнало её", "Dotarło do niej", "Дійшло до неї", "Ihr nachgeschickt"),
            NotifyPending => l.pick("Unseen; goes out at", "Не прочитано; уйдёт в", "Nieprzeczytane; wyjdzie o", "Не прочитано; піде о", "Ungelesen; geht raus um"),
            NotifySeen => l.pick("Seen in the widget", "Прочитано в виджете", "Przeczytane w widżecie", "Прочитано у віджеті", "Im Widget gelesen"),
            NotifyNoChannel => l.pick("Not sent: she chose only this chat", "Не отправлено: выбран только этот чат", "Nie wysłano: wybrano tylko ten czat", "Не надіслано: обрано лише цей чат", "Nicht gesendet: nur dieser Chat gewählt"),
            NotifySent => l.pick("Sent by email", "Отправлено письмом", "Wysłane e-mailem", "Надіслано листом", "Per E-Mail gesendet"),
            NotifyRequested => l.pick("Handed to your provider", "Передано вашему провайдеру", "Przekazane Twojemu dostawcy", "Передано вашому провайдеру", "An Ihren Anbieter übergeben"),
            NotifyDelivered => l.pick("Delivered by your provider", "Доставлено вашим провайдером", "Dostarczone przez Twojego dostawcę", "Доставлено вашим провайдером", "Von Ihrem Anbieter zugestellt"),
            NotifyFailed => l.pick("Not sent", "Не отправлено", "Nie wysłano", "Не надіслано", "Nicht gesendet"),
            Record => l.pick("Record of kept promises", "Выполненные обещания", "Rejestr dotrzymanych obietnic", "Виконані обіцянки", "Bilanz der gehaltenen Versprechen"),
            KindReply => l.pick("Reply", "Ответ", "Odpowiedź", "Відповідь", "Antwort"),
            KindCallback => l.pick("Callback", "Обратный звонок", "Oddzwonienie", "Зворотний дзвінок", "Rückruf"),
            KindAskFirst => l.pick("Ask first", "Сначала спросить", "Najpierw zapytać", "Спершу запитати", "Erst fragen"),
            KindDelivery => l.pick("Delivery slot", "Время доставки", "Termin dostawy", "Час доставки", "Lieferzeit"),
            KindDeviation => l.pick("Deviation stopped", "Отклонение предотвращено", "Zatrzymane odstępstwo", "Відхилення зупинено", "Abweichung verhindert"),
            KindClaim => l.pick("Claim", "Жалоба", "Zgłoszenie", "Скарга", "Beschwerde"),
            StateOpen => l.pick("open", "открыто", "otwarte", "відкрито", "offen"),
            StateKept => l.pick("kept", "выполнено", "dotrzymane", "виконано", "gehalten"),
            StateBroken => l.pick("broken", "нарушено", "złamane", "порушено", "gebrochen"),
            StatePrevented => l.pick("prevented", "предотвращено", "zapobiegnięte", "запобігнуто", "verhindert"),
            StateAnswered => l.pick("answered", "отвечено", "odpowiedziane", "відповідено", "beantwortet"),
            StateWithdrawn => l.pick("withdrawn", "отозвано", "wycofane", "відкликано", "zurückgezogen"),
            Due => l.pick("due", "срок", "termin", "термін", "fällig"),
            ClosedAt => l.pick("done", "сделано", "zrobione", "зроблено", "erledigt"),
            Nobody => l.pick("nobody", "никто", "nikt", "ніхто", "niemand"),
            KeptShare => l.pick("Kept", "Выполнено", "Dotrzymane", "Виконано", "Gehalten"),
            BrokenCount => l.pick("Broken", "Нарушено", "Złamane", "Порушено", "Gebrochen"),
            PreventedCount => l.pick("Deviations stopped", "Остановлено отклонений", "Zatrzymane odstępstwa", "Зупинено відхилень", "Verhinderte Abweichungen"),
            ClaimsCount => l.pick("Claims (answered)", "Жалобы (с ответом)", "Zgłoszenia (z odpowiedzią)", "Скарги (з відповіддю)", "Beschwerden (beantwortet)"),
            SurveysCount => l.pick("Surveys (average)", "Опросы (среднее)", "Ankiety (średnia)", "Опитування (середнє)", "Umfragen (Durchschnitt)"),
            ByKind => l.pick("By kind", "По видам", "Według rodzaju", "За видами", "Nach Art"),
            ByOperator => l.pick("By operator", "По операторам", "Według operatora", "За операторами", "Nach Mitarbeiter"),
            ByDay => l.pick("By day", "По дням", "Według dnia", "За днями", "Nach Tag"),
            LastDays => l.pick("Last days", "Последние дни", "Ostatnie dni", "Останні дні", "Letzte Tage"),
            DueNext => l.pick("Due next", "Ближайшие сроки", "Najbliższe terminy", "Найближчі терміни", "Als Nächstes fällig"),
            BrokenOnes => l.pick("Broken", "Нарушенные", "Złamane obietnice", "Порушені", "Gebrochene"),
            KindColumn => l.pick("Kind", "Вид", "Rodzaj", "Вид", "Art"),
            OperatorColumn => l.pick("Operator", "Оператор", "Operator", "Оператор", "Mitarbeiter"),
            DayColumn => l.pick("Day", "День", "Dzień", "День", "Tag"),
            TotalRow => l.pick("Total", "Итого", "Razem", "Разом", "Gesamt"),
            ChartLabel => l.pick("Kept share by day (the same figures are in the table below)", "Доля выполненных по дням (те же цифры в таблице ниже)", "Odsetek dotrzymanych według dni (te same liczby w tabeli poniżej)", "Частка виконаних за днями (ті самі числа в таблиці нижче)", "Anteil gehaltener Versprechen je Tag (dieselben Zahlen in der Tabelle unten)"),
            Overdue => l.pick("overdue", "просрочено", "po terminie", "прострочено", "überfällig"),
            MinutesLeft => l.pick("min left", "мин осталось", "min zostało", "хв залишилось", "Min übrig"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_in_every_language_of_the_console() {
        // The same word in that language, not an English stand-in.
        let same_word = [
            (Locale::De, T::Status),
            (Locale::De, T::You),
            (Locale::De, T::System),
            (Locale::De, T::Bot),
            (Locale::Pl, T::Status),
            (Locale::Pl, T::System),
            (Locale::Pl, T::Bot),
            (Locale::Pl, T::Minutes),
            (Locale::Pl, T::OperatorColumn),
        ];
        let mut english = Vec::new();
        for &l in &LOCALES[1..] {
            for &t in T::ALL {
                let (text, en) = (t.get(l), t.get(Locale::En));
                assert!(!text.is_empty(), "{t:?} in {l:?}");
                if text == en && !same_word.contains(&(l, t)) {
                    english.push((l, t));
                }
            }
        }
        assert_eq!(english, [], "left in English");
    }

    #[test]
    fn the_console_offers_the_customer_s_five_languages() {
        assert_eq!(LOCALES.map(Locale::tag), ["en", "ru", "pl", "uk", "de"]);
    }
}
