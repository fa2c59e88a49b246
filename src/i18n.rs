//! The step's strings (and the notices around it), in en, ru and pl; the chat's own are in
//! components/chat/text.rs, so they load with its code. Names of protocol values live in
//! kept-protocol; dates and numbers come from the browser's Intl, which costs no wasm bytes.

use kept_protocol::{Locale, ProblemCode};

/// A piece of interface text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Heading,
    Intro,
    ContactLegend,
    DoNotCall,
    CallsDisabled,
    PhoneLabel,
    EmailLabel,
    TelegramLabel,
    PaymentLegend,
    Submit,
    Sending,
    ReceiptHeading,
    Version,
    Change,
    Loading,
    LoadFailed,
    ChatLoadFailed,
    ChatLoading,
    Retry,
    OrderNotFound,
    SendFailed,
    FixProblems,
    NotEditable,
    ConfigError,
    ContactHint,
    MoveUp,
    MoveDown,
    CallbackLegend,
    From,
    To,
    SubstitutionLegend,
    RuleSimilar,
    RuleAskFirst,
    RuleRemove,
    RuleCancel,
    CapLabel,
    CapUnit,
    CapAmount,
    AskVia,
    AskWait,
    FallbackSimilar,
    PerItem,
    AsOrder,
    ReplaceWith,
    SlotFrom,
    MaxTotal,
    NotForThisOrder,
    NotesLegend,
    MoreNotes,
    NoPreference,
    NoteFor,
    SummaryHeading,
}

impl Text {
    /// This text in `l`.
    pub fn in_locale(self, l: Locale) -> &'static str {
        use Text::*;
        match self {
            Heading => l.pick(
                "Your choices for this order",
                "Ваши условия для этого заказа",
                "Twoje ustawienia dla tego zamówienia",
            ),
            Intro => l.pick(
                "Choose once: the shop keeps to it, and you will see it next to your order.",
                "Выберите один раз: магазин будет этого придерживаться, а вы увидите это рядом с заказом.",
                "Wybierz raz: sklep będzie się tego trzymał, a Ty zobaczysz to przy zamówieniu.",
            ),
            ContactLegend => {
                l.pick("How should we contact you?", "Как с вами связываться?", "Jak mamy się z Tobą kontaktować?")
            }
            DoNotCall => l.pick("Do not call me", "Не звоните мне", "Nie dzwońcie do mnie"),
            CallsDisabled => l.pick(
                "Not available: you asked us not to call.",
                "Недоступно: вы попросили не звонить.",
                "Niedostępne: prosisz, by do Ciebie nie dzwonić.",
            ),
            PhoneLabel => l.pick(
                "Phone number, with country code",
                "Номер телефона с кодом страны",
                "Numer telefonu z kierunkowym kraju",
            ),
            EmailLabel => l.pick("Email address", "Адрес электронной почты", "Adres e-mail"),
            TelegramLabel => {
                l.pick("Telegram username", "Имя пользователя в Telegram", "Nazwa użytkownika w Telegramie")
            }
            PaymentLegend => l.pick("How will you pay?", "Как вы будете платить?", "Jak zapłacisz?"),
            Submit => l.pick("Save my choices", "Сохранить мой выбор", "Zapisz moje wybory"),
            Sending => l.pick("Saving…", "Сохраняем…", "Zapisujemy…"),
            ReceiptHeading => {
                l.pick("Your agreement with the shop", "Ваша договорённость с магазином", "Twoja umowa ze sklepem")
            }
            Version => l.pick("Version", "Версия", "Wersja"),
            Change => l.pick("Change my choices", "Изменить выбор", "Zmień wybory"),
            Loading => l.pick("Loading your order…", "Загружаем ваш заказ…", "Wczytujemy Twoje zamówienie…"),
            LoadFailed => l.pick(
                "We could not load your order. Check your connection and try again.",
                "Не удалось загрузить заказ. Проверьте подключение и попробуйте ещё раз.",
                "Nie udało się wczytać zamówienia. Sprawdź połączenie i spróbuj ponownie.",
            ),
            ChatLoadFailed => l.pick(
                "The chat could not load. Check your connection and try again; your choices above are safe.",
                "Чат не загрузился. Проверьте подключение и попробуйте ещё раз; ваш выбор выше сохранён.",
                "Czat się nie wczytał. Sprawdź połączenie i spróbuj ponownie; Twoje wybory powyżej są bezpieczne.",
            ),
            ChatLoading => l.pick("Opening the chat…", "Открываем чат…", "Otwieramy czat…"),
            Retry => l.pick("Try again", "Попробовать снова", "Spróbuj ponownie"),
            OrderNotFound => l.pick(
                "This order link is not valid. Please open it again from your order confirmation.",
                "Ссылка на заказ недействительна. Откройте её снова из подтверждения заказа.",
                "Link do zamówienia jest nieprawidłowy. Otwórz go ponownie z potwierdzenia zamówienia.",
            ),
            SendFailed => l.pick(
                "Not saved yet: the shop did not answer. Nothing you chose is lost; try again.",
                "Ещё не сохранено: магазин не ответил. Ваш выбор не потерян — попробуйте ещё раз.",
                "Jeszcze nie zapisano: sklep nie odpowiedział. Twoje wybory nie zginęły — spróbuj ponownie.",
            ),
            FixProblems => {
                l.pick("Please fix the marked fields.", "Исправьте отмеченные поля.", "Popraw zaznaczone pola.")
            }
            NotEditable => l.pick(
                "The shop has started picking your order, so these choices can no longer change.",
                "Магазин уже начал собирать заказ, поэтому изменить выбор больше нельзя.",
                "Sklep zaczął już kompletować zamówienie, więc tych wyborów nie można już zmienić.",
            ),
            ContactHint => l.pick(
                "Tick every way we may use; the first is the one we try first.",
                "Отметьте все способы, которыми можно пользоваться; первый — тот, что мы пробуем первым.",
                "Zaznacz każdy sposób, którego możemy użyć; pierwszy próbujemy jako pierwszy.",
            ),
            MoveUp => l.pick("move up", "выше", "w górę"),
            MoveDown => l.pick("move down", "ниже", "w dół"),
            CallbackLegend => l.pick(
                "When may we call you back? (optional)",
                "Когда вам можно перезвонить? (необязательно)",
                "Kiedy możemy oddzwonić? (opcjonalnie)",
            ),
            From => l.pick("From", "С", "Od"),
            To => l.pick("To", "До", "Do"),
            SubstitutionLegend => {
                l.pick("If something is missing", "Если какого-то товара не окажется", "Jeśli czegoś zabraknie")
            }
            RuleSimilar => l.pick("Substitute something similar", "Заменить похожим", "Zastąpić czymś podobnym"),
            RuleAskFirst => l.pick("Ask me first", "Сначала спросить меня", "Najpierw zapytać mnie"),
            RuleRemove => l.pick("Remove it and refund", "Убрать и вернуть деньги", "Usunąć i zwrócić pieniądze"),
            RuleCancel => l.pick("Cancel the whole order", "Отменить весь заказ", "Anulować całe zamówienie"),
            CapLabel => l.pick("At most this much dearer", "Дороже не более чем на", "Najwyżej o tyle drożej"),
            CapUnit => l.pick("Unit", "Единица", "Jednostka"),
            CapAmount => l.pick("in the order's currency", "в валюте заказа", "w walucie zamówienia"),
            AskVia => l.pick("Ask me via", "Спросить через", "Zapytać przez"),
            AskWait => l.pick("Wait for my answer (minutes)", "Ждать ответа (минут)", "Czekać na odpowiedź (minuty)"),
            FallbackSimilar => l.pick(
                "If I do not answer in time, substitute something similar (otherwise remove it)",
                "Если я не отвечу вовремя, заменить похожим (иначе убрать)",
                "Jeśli nie odpowiem na czas, zastąpić czymś podobnym (inaczej usunąć)",
            ),
            PerItem => l.pick(
                "A different rule for one item",
                "Другое правило для отдельного товара",
                "Inna zasada dla jednego produktu",
            ),
            AsOrder => l.pick("As for the whole order", "Как для всего заказа", "Jak dla całego zamówienia"),
            ReplaceWith => l.pick("Replace with", "Заменить на", "Zastąpić przez"),
            SlotFrom => l.pick(
                "Only for delivery slots starting from",
                "Только для доставки с началом не раньше",
                "Tylko dla dostaw zaczynających się od",
            ),
            MaxTotal => l.pick("Only for orders up to", "Только для заказов до", "Tylko dla zamówień do"),
            NotForThisOrder => l.pick(
                "Not available for this order.",
                "Недоступно для этого заказа.",
                "Niedostępne dla tego zamówienia.",
            ),
            NotesLegend => l.pick("Notes for the items", "Пожелания к товарам", "Uwagi do produktów"),
            MoreNotes => l.pick("A note for another item", "Пожелание к другому товару", "Uwaga do innego produktu"),
            NoPreference => l.pick("No preference", "Без разницы", "Bez znaczenia"),
            NoteFor => l.pick("Note for", "Пожелание к", "Uwaga do"),
            SummaryHeading => l.pick("What we agree on", "О чём мы договариваемся", "Na co się umawiamy"),
            ConfigError => l.pick(
                "The checkout widget is not set up correctly on this page.",
                "Виджет оформления заказа неправильно настроен на этой странице.",
                "Widżet zamówienia jest nieprawidłowo skonfigurowany na tej stronie.",
            ),
        }
    }
}

/// What to tell the customer about a problem with a field.
pub fn problem_text(code: ProblemCode, l: Locale) -> &'static str {
    use ProblemCode::*;
    match code {
        Required => l.pick(
            "Please choose or fill this in.",
            "Выберите или заполните это поле.",
            "Wybierz lub uzupełnij to pole.",
        ),
        Invalid | Unknown => {
            l.pick("This value is not accepted.", "Это значение не подходит.", "Ta wartość jest nieprawidłowa.")
        }
        InvalidPhone => l.pick(
            "Enter the number with its country code, e.g. +48 600 100 200.",
            "Введите номер с кодом страны, например +7 916 123 45 67.",
            "Wpisz numer z kierunkowym kraju, np. +48 600 100 200.",
        ),
        InvalidEmail => l.pick(
            "Enter an address like name@example.com.",
            "Введите адрес вида name@example.com.",
            "Wpisz adres w postaci nazwa@example.com.",
        ),
        InvalidTelegram => l.pick(
            "A Telegram username has 5 to 32 Latin letters, digits or underscores.",
            "Имя в Telegram — от 5 до 32 латинских букв, цифр или подчёркиваний.",
            "Nazwa w Telegramie ma od 5 do 32 liter łacińskich, cyfr lub podkreśleń.",
        ),
        ContactMissing => l.pick(
            "The way of contact you chose needs this.",
            "Это нужно для выбранного способа связи.",
            "Wybrany sposób kontaktu tego wymaga.",
        ),
        CallsForbidden => l.pick(
            "You asked us not to call, so a phone call cannot be chosen.",
            "Вы попросили не звонить, поэтому звонок выбрать нельзя.",
            "Prosisz, by do Ciebie nie dzwonić, więc nie można wybrać połączenia.",
        ),
        DuplicateChannel => {
            l.pick("This channel is already chosen.", "Этот способ связи уже выбран.", "Ten kanał jest już wybrany.")
        }
        ChannelNotOffered => l.pick(
            "The shop does not offer this way of contact.",
            "Магазин не предлагает этот способ связи.",
            "Sklep nie oferuje tego sposobu kontaktu.",
        ),
        PaymentNotOffered => l.pick(
            "The shop does not accept this payment method for this order.",
            "Магазин не принимает этот способ оплаты для этого заказа.",
            "Sklep nie przyjmuje tej metody płatności dla tego zamówienia.",
        ),
        PaymentUnavailable => l.pick(
            "This payment method is not available for this order.",
            "Этот способ оплаты недоступен для этого заказа.",
            "Ta metoda płatności jest niedostępna dla tego zamówienia.",
        ),
        TooLong => l.pick("This is too long.", "Слишком длинно.", "To jest za długie."),
        OutOfRange => l.pick(
            "This number is outside the allowed range.",
            "Это число вне допустимого диапазона.",
            "Ta liczba jest poza dozwolonym zakresem.",
        ),
        UnknownItem => l.pick(
            "This item is not in your order.",
            "Этого товара нет в вашем заказе.",
            "Tego produktu nie ma w Twoim zamówieniu.",
        ),
        UnknownOption => l.pick(
            "Choose one of the listed options.",
            "Выберите один из предложенных вариантов.",
            "Wybierz jedną z podanych opcji.",
        ),
        UnknownReplacement => l.pick(
            "Choose one of the replacements the shop suggests.",
            "Выберите одну из замен, которые предлагает магазин.",
            "Wybierz jeden z zamienników proponowanych przez sklep.",
        ),
        ChannelNotInPlan => l.pick(
            "Choose a way of contact from your list above.",
            "Выберите способ связи из вашего списка выше.",
            "Wybierz sposób kontaktu z listy powyżej.",
        ),
        OutsideHours => l.pick(
            "Choose a time within the shop's working hours.",
            "Выберите время в рабочие часы магазина.",
            "Wybierz godzinę w czasie pracy sklepu.",
        ),
        Duplicate => l.pick("This is already chosen.", "Это уже выбрано.", "To jest już wybrane."),
    }
}
