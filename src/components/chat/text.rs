//! The chat's own words, in en, ru and pl: they load with the chat's code, not with the step.

use kept_protocol::Locale;

/// A piece of the chat's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatText {
    ChatHeading,
    WriteToShop,
    Send,
    You,
    Shop,
    Bot,
    MessageNotSent,
    OnlineNow,
    IsOnline,
    OpenNobody,
    ClosedBackAt,
    UsuallyReplies,
    Minutes,
    AgreementSaved,
    Reported,
    ChangeAsked,
    Updated,
    OrderUpdated,
    OrderUpdatedDropped,
    ShopCalled,
    AnswerBy,
    ElseRemove,
    ElseSimilar,
    RemoveAndRefund,
    TooLate,
    ChangeAccepted,
    ChangeDeclined,
    CallbackAsked,
    Rated,
    ShopBrokeThis,
    WhichPromise,
    WhatHappened,
    SendReport,
    ReportSent,
    PayBy,
    SubstituteWith,
    DeliverAt,
    Accept,
    Decline,
    SearchAnswers,
    TalkToPerson,
    GreetingHello,
    GreetingLooksAfter,
    SurveyQuestion,
    SurveyComment,
    SurveyThanks,
    ClosedNow,
    QuestionReceived,
    AnswerSoon,
    AnswerWhenOpen,
    SlowerThanPromised,
    CallMeBack,
    Day,
    RequestCallback,
    CallbackBooked,
    ContinueIn,
    AnswerByEmail,
    WayOutSent,
    NewMessages,
    Older,
}

impl ChatText {
    /// This text in `l`.
    pub fn in_locale(self, l: Locale) -> &'static str {
        use ChatText::*;
        match self {
            ChatHeading => l.pick("Messages about this order", "Сообщения по заказу", "Wiadomości o zamówieniu"),
            WriteToShop => l.pick("Write to the shop", "Написать магазину", "Napisz do sklepu"),
            Send => l.pick("Send", "Отправить", "Wyślij"),
            You => l.pick("You", "Вы", "Ty"),
            Shop => l.pick("Shop", "Магазин", "Sklep"),
            Bot => l.pick("Automatic answer", "Автоматический ответ", "Odpowiedź automatyczna"),
            MessageNotSent => l.pick("Not sent yet.", "Ещё не отправлено.", "Jeszcze nie wysłano."),
            IsOnline => l.pick("is online", "на связи", "jest online"),
            OnlineNow => l.pick("Someone is here now", "Сейчас на связи", "Ktoś jest teraz dostępny"),
            OpenNobody => l.pick(
                "Open, but nobody is at the chat right now: we answer as soon as someone is back",
                "Магазин открыт, но в чате сейчас никого нет: ответим, как только кто-то вернётся",
                "Otwarte, ale nikogo teraz nie ma na czacie: odpowiemy, gdy ktoś wróci",
            ),
            ClosedBackAt => l.pick("Closed now. Back at", "Сейчас закрыто. Вернёмся", "Teraz zamknięte. Wracamy"),
            UsuallyReplies => {
                l.pick("Usually replies in about", "Обычно отвечает примерно за", "Zwykle odpowiada w około")
            }
            Minutes => l.pick("min", "мин", "min"),
            AgreementSaved => {
                l.pick("Agreement saved, version", "Договорённость сохранена, версия", "Umowa zapisana, wersja")
            }
            Reported => l.pick(
                "You reported a broken promise, version",
                "Вы сообщили о нарушении, версия",
                "Zgłoszono złamaną obietnicę, wersja",
            ),
            ChangeAsked => l.pick("The shop asks for a change", "Магазин просит изменение", "Sklep prosi o zmianę"),
            Updated => l.pick(
                "The order was updated; reload the page to see how",
                "Заказ обновлён; обновите страницу, чтобы увидеть подробности",
                "Zamówienie zaktualizowano; odśwież stronę, aby zobaczyć szczegóły",
            ),
            ShopCalled => l.pick("The shop called you", "Магазин позвонил вам", "Sklep do Ciebie dzwonił"),
            OrderUpdated => l.pick("The shop updated your order", "Магазин обновил заказ", "Sklep zaktualizował zamówienie"),
            OrderUpdatedDropped => l.pick(
                "The shop updated your order; your choices for the items it no longer has were dropped",
                "Магазин обновил заказ; ваши пожелания к убранным товарам больше не действуют",
                "Sklep zaktualizował zamówienie; Twoje wybory dla usuniętych pozycji przestały obowiązywać",
            ),
            AnswerBy => l.pick("Answer by", "Ответьте до", "Odpowiedz do"),
            ElseRemove => l.pick(
                "otherwise we remove it and refund you.",
                "иначе мы уберём его и вернём деньги.",
                "inaczej usuniemy go i zwrócimy pieniądze.",
            ),
            ElseSimilar => l.pick(
                "otherwise we substitute something similar within your limit.",
                "иначе мы заменим похожим в пределах вашего лимита.",
                "inaczej zastąpimy go podobnym w ramach Twojego limitu.",
            ),
            RemoveAndRefund => l.pick("Remove it and refund", "Убрать и вернуть", "Usunąć i zwrócić"),
            TooLate => l.pick(
                "Your answer did not reach the shop in time, or the request was withdrawn; the order shows what happened.",
                "Ваш ответ не успел дойти или запрос отозван; в заказе видно, что произошло.",
                "Twoja odpowiedź nie dotarła na czas albo prośbę wycofano; zamówienie pokazuje, co się stało.",
            ),
            ChangeAccepted => l.pick("You accepted the change", "Вы приняли изменение", "Zmiana zaakceptowana"),
            ChangeDeclined => l.pick("You declined the change", "Вы отклонили изменение", "Zmiana odrzucona"),
            CallbackAsked => l.pick("Callback requested", "Запрошен обратный звонок", "Poproszono o oddzwonienie"),
            Rated => l.pick("You rated the order", "Ваша оценка заказа", "Twoja ocena zamówienia"),
            ShopBrokeThis => l.pick("The shop broke this", "Магазин это нарушил", "Sklep tego nie dotrzymał"),
            WhichPromise => l.pick("Which promise?", "Какое обещание?", "Która obietnica?"),
            WhatHappened => {
                l.pick("What happened (optional)", "Что произошло (необязательно)", "Co się stało (opcjonalnie)")
            }
            SendReport => l.pick("Send the report", "Отправить", "Wyślij zgłoszenie"),
            ReportSent => l.pick(
                "Reported. It is on the order's timeline.",
                "Отправлено. Это есть в истории заказа.",
                "Zgłoszono. Jest na osi czasu zamówienia.",
            ),
            PayBy => l.pick("Pay by", "Оплата:", "Płatność:"),
            SubstituteWith => l.pick("Substitute with", "Заменить на", "Zastąpić przez"),
            DeliverAt => l.pick("Deliver at", "Доставить", "Dostawa"),
            Accept => l.pick("Accept", "Принять", "Akceptuję"),
            Decline => l.pick("Decline", "Отклонить", "Odrzucam"),
            SearchAnswers => l.pick("Search the answers", "Поиск по ответам", "Szukaj w odpowiedziach"),
            TalkToPerson => l.pick("Talk to a person", "Написать человеку", "Porozmawiaj z człowiekiem"),
            GreetingHello => l.pick("Hello, I am", "Здравствуйте, я", "Dzień dobry, jestem"),
            GreetingLooksAfter => {
                l.pick(", and I look after your order.", ", я веду ваш заказ.", ", opiekuję się Twoim zamówieniem.")
            }
            SurveyQuestion => l.pick(
                "How was your order? 1 is bad, 5 is very good.",
                "Как вам заказ? 1 — плохо, 5 — отлично.",
                "Jak oceniasz zamówienie? 1 — źle, 5 — bardzo dobrze.",
            ),
            SurveyComment => {
                l.pick("Anything to add? (optional)", "Что-то добавить? (необязательно)", "Coś dodać? (opcjonalnie)")
            }
            SurveyThanks => l.pick("Thank you.", "Спасибо.", "Dziękujemy."),
            ClosedNow => l.pick(
                "Closed now. Leave a message and we will answer when we open.",
                "Сейчас закрыто. Оставьте сообщение — ответим, когда откроемся.",
                "Teraz zamknięte. Zostaw wiadomość — odpowiemy po otwarciu.",
            ),
            QuestionReceived => l.pick("Question received.", "Вопрос получен.", "Pytanie otrzymane."),
            AnswerSoon => l.pick(
                "We answer as soon as someone is free.",
                "Ответим, как только кто-то освободится.",
                "Odpowiemy, gdy tylko ktoś będzie wolny.",
            ),
            AnswerWhenOpen => l.pick(
                "The shop is closed now; we answer when it opens.",
                "Магазин сейчас закрыт; ответим, когда откроется.",
                "Sklep jest teraz zamknięty; odpowiemy po otwarciu.",
            ),
            SlowerThanPromised => l.pick(
                "We are slower than we promised. You do not have to wait here:",
                "Мы отвечаем дольше, чем обещали. Ждать здесь не обязательно:",
                "Odpowiadamy wolniej, niż obiecaliśmy. Nie musisz tu czekać:",
            ),
            CallMeBack => l.pick("Call me back at", "Перезвоните мне на", "Oddzwońcie na"),
            Day => l.pick("Day", "День", "Dzień"),
            RequestCallback => l.pick("Request a callback", "Заказать звонок", "Poproś o telefon"),
            CallbackBooked => l.pick(
                "Callback requested. It is in your timeline.",
                "Звонок заказан. Он есть в истории заказа.",
                "Prośba o telefon przyjęta. Jest w historii zamówienia.",
            ),
            ContinueIn => l.pick("Continue in", "Продолжить в", "Kontynuuj w"),
            AnswerByEmail => l.pick("Answer me by email", "Ответьте мне на почту", "Odpowiedzcie mi e-mailem"),
            WayOutSent => l.pick(
                "Sent. The shop sees where to answer you.",
                "Отправлено. Магазин видит, куда вам ответить.",
                "Wysłano. Sklep widzi, gdzie ci odpowiedzieć.",
            ),
            NewMessages => l.pick("New messages", "Новые сообщения", "Nowe wiadomości"),
            Older => l.pick("Show earlier messages", "Показать более ранние", "Pokaż wcześniejsze"),
        }
    }
}
