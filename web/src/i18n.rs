//! The page's own words (labels, buttons, messages) in every language. Failure explanations
//! come from `inbox_doctor_errors::text`, shared with the relay and the CLI.

use inbox_doctor_errors::{
    hints, Category, Cause, ErrorCode, Failure, Lang, SkipReason, StepId, TextBundle, Warning,
};
use leptos::prelude::*;

/// Every interface string of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum T {
    Title,
    Intro,
    Language,
    Email,
    Password,
    KeepPassword,
    Username,
    UsernameHint,
    ImapServer,
    SmtpServer,
    Host,
    Port,
    Security,
    SecurityAuto,
    SecurityTls,
    SecurityStarttls,
    SecurityPlain,
    SeparateSmtp,
    SmtpUsername,
    SmtpPassword,
    AllowInsecure,
    AllowInsecureHint,
    TestRecipient,
    Roundtrip,
    Run,
    Running,
    Cancel,
    Prefilled,
    Discovered,
    LookingUp,
    ErrEmail,
    ErrPassword,
    ErrHost,
    ErrPort,
    Steps,
    Imap,
    Smtp,
    Waiting,
    InProgress,
    Passed,
    Failed,
    Skipped,
    AllGood,
    ServerSaid,
    Detail,
    WhatToDo,
    Warnings,
    TlsPanel,
    Version,
    Cipher,
    Certificate,
    Subject,
    Issuer,
    Names,
    ValidFrom,
    ValidTo,
    Key,
    Verdict,
    Transcript,
    CopyReport,
    Copied,
    DownloadJson,
    RelayError,
    ConnectionLost,
    Cancelled,
    NotRun,
    Advice,
    AdviceIntro,
    NotHere,
}

/// One language's failure explanations, fetched from the relay (the page does not carry every
/// language's). Until they arrive, codes stand in for titles.
#[derive(Clone, Copy)]
pub struct Texts(pub RwSignal<TextBundle>);

pub fn texts() -> RwSignal<TextBundle> {
    expect_context::<Texts>().0
}

/// The cause's title in the current language (reactive).
pub fn cause_title(cause: Cause) -> String {
    texts().with(|t| {
        t.cause(cause)
            .map_or_else(|| cause.code().to_owned(), |w| w.title.clone())
    })
}

pub fn cause_explanation(cause: Cause) -> String {
    texts().with(|t| {
        t.cause(cause)
            .map(|w| w.explanation.clone())
            .unwrap_or_default()
    })
}

/// What to do about `failure`: the advice for this mailbox first, then the cause's steps.
pub fn remediation(failure: &Failure) -> Vec<String> {
    texts().with(|t| {
        let mut steps = hints(failure, |k| t.hint(k));
        if let Some(w) = t.cause(failure.cause) {
            steps.extend(w.remediation.iter().cloned());
        }
        steps
    })
}

pub fn category_name(category: Category) -> String {
    texts().with(|t| t.category(category))
}

pub fn step_name(step: StepId) -> String {
    texts().with(|t| t.step(step))
}

/// Why a step was skipped, in the current language (empty until the words arrive).
pub fn skip_reason(reason: SkipReason) -> String {
    texts().with(|t| t.skip(reason))
}

/// What a refusal means in the page's language, once the words have arrived.
pub fn refusal(code: ErrorCode) -> Option<String> {
    texts().with(|t| t.refusal(code).map(str::to_owned))
}

/// What a warning found, in the current language: its finding worded from the language's
/// template, else the relay's detail (our side's technical words, as a failure's detail is).
pub fn warning_detail(w: &Warning) -> Option<String> {
    match &w.finding {
        Some(f) => Some(texts().with(|t| f.words(|k| t.finding(k)))),
        None => w.detail.clone(),
    }
}

/// A reactive view of `key` in the current language. Every call returns the same closure type,
/// which keeps the wasm small (one render function instead of one per label).
pub fn tr(key: T) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = crate::app::use_lang();
    move || t(lang.get(), key)
}

/// The words for `key` in `lang`.
pub fn t(lang: Lang, key: T) -> &'static str {
    match lang {
        Lang::En => en(key),
        Lang::De => de(key),
        Lang::Nb => nb(key),
        Lang::Pl => pl(key),
    }
}

fn en(key: T) -> &'static str {
    use T::*;
    match key {
        Title => "Inbox Doctor",
        Intro => "Finds out why your mailbox cannot connect, and what to do about it. We connect to your servers exactly as a connected product would, and show every step.",
        Language => "Language",
        Email => "Email address",
        Password => "Password",
        KeepPassword => "Keep the password after the check",
        Username => "Username",
        UsernameHint => "Only if it is not your email address",
        ImapServer => "Incoming mail (IMAP)",
        SmtpServer => "Outgoing mail (SMTP)",
        Host => "Server",
        Port => "Port",
        Security => "Security",
        SecurityAuto => "Automatic (by port)",
        SecurityTls => "SSL/TLS",
        SecurityStarttls => "STARTTLS",
        SecurityPlain => "None (unencrypted)",
        SeparateSmtp => "Different login for SMTP",
        SmtpUsername => "SMTP username",
        SmtpPassword => "SMTP password",
        AllowInsecure => "Allow non-secure certificate",
        AllowInsecureHint => "Go on past an untrusted certificate; it is still reported",
        TestRecipient => "Send the test email to",
        Roundtrip => "Wait until the test email arrives in the inbox",
        Run => "Check my mailbox",
        Running => "Checking…",
        Cancel => "Stop",
        Prefilled => "Filled in from your organisation's settings",
        Discovered => "Filled in with the settings found for your address",
        LookingUp => "Looking up the settings for your address…",
        ErrEmail => "Enter an email address like name@example.com.",
        ErrPassword => "Enter the password.",
        ErrHost => "Enter the server name.",
        ErrPort => "The port is a number from 1 to 65535.",
        Steps => "Steps",
        Imap => "IMAP",
        Smtp => "SMTP",
        Waiting => "waiting",
        InProgress => "in progress",
        Passed => "passed",
        Failed => "failed",
        Skipped => "skipped",
        AllGood => "Everything works: this mailbox can be connected.",
        ServerSaid => "The server said",
        Detail => "Detail",
        WhatToDo => "What to do",
        Warnings => "Worth fixing",
        TlsPanel => "Encryption and certificates",
        Version => "Version",
        Cipher => "Cipher",
        Certificate => "Certificate",
        Subject => "Subject",
        Issuer => "Issuer",
        Names => "Names",
        ValidFrom => "Valid from",
        ValidTo => "Valid until",
        Key => "Key",
        Verdict => "Verdict",
        Transcript => "Transcript (passwords removed)",
        CopyReport => "Copy report",
        Copied => "Copied",
        DownloadJson => "Download JSON",
        RelayError => "The check could not run",
        ConnectionLost => "The connection to the checking service was lost.",
        Cancelled => "Stopped.",
        NotRun => "not run",
        Advice => "Suggestions",
        AdviceIntro => "The mailbox works. These would make it work better:",
        NotHere => "Checks cannot run on this page",
    }
}

fn de(key: T) -> &'static str {
    use T::*;
    match key {
        Title => "Inbox Doctor",
        Intro => "Findet heraus, warum Ihr Postfach keine Verbindung herstellen kann und was Sie dagegen tun können. Wir verbinden uns genau so mit Ihren Servern, wie es ein angebundenes Produkt tun würde, und zeigen jeden Schritt.",
        Language => "Sprache",
        Email => "E-Mail-Adresse",
        Password => "Passwort",
        KeepPassword => "Passwort nach der Prüfung behalten",
        Username => "Benutzername",
        UsernameHint => "Nur wenn er von Ihrer E-Mail-Adresse abweicht",
        ImapServer => "Eingehende E-Mails (IMAP)",
        SmtpServer => "Ausgehende E-Mails (SMTP)",
        Host => "Servername",
        Port => "Port",
        Security => "Sicherheit",
        SecurityAuto => "Automatisch (nach Port)",
        SecurityTls => "SSL/TLS",
        SecurityStarttls => "STARTTLS",
        SecurityPlain => "Keine (unverschlüsselt)",
        SeparateSmtp => "Andere Anmeldedaten für SMTP",
        SmtpUsername => "SMTP-Benutzername",
        SmtpPassword => "SMTP-Passwort",
        AllowInsecure => "Unsichere Zertifikate zulassen",
        AllowInsecureHint => "Trotz nicht vertrauenswürdigen Zertifikats fortfahren; es wird dennoch gemeldet",
        TestRecipient => "Test-E-Mail senden an",
        Roundtrip => "Warten, bis die Test-E-Mail im Posteingang ankommt",
        Run => "Mein Postfach prüfen",
        Running => "Wird geprüft…",
        Cancel => "Abbrechen",
        Prefilled => "Aus den Einstellungen Ihrer Organisation übernommen",
        Discovered => "Mit den für Ihre Adresse gefundenen Einstellungen ausgefüllt",
        LookingUp => "Suche die Einstellungen für Ihre Adresse …",
        ErrEmail => "Geben Sie eine E-Mail-Adresse wie name@example.com ein.",
        ErrPassword => "Geben Sie das Passwort ein.",
        ErrHost => "Geben Sie den Servernamen ein.",
        ErrPort => "Der Port ist eine Zahl von 1 bis 65535.",
        Steps => "Schritte",
        Imap => "IMAP",
        Smtp => "SMTP",
        Waiting => "wartet",
        InProgress => "läuft",
        Passed => "bestanden",
        Failed => "fehlgeschlagen",
        Skipped => "übersprungen",
        AllGood => "Alles funktioniert: Dieses Postfach kann verbunden werden.",
        ServerSaid => "Antwort des Servers",
        Detail => "Details",
        WhatToDo => "Was Sie tun können",
        Warnings => "Sollte behoben werden",
        TlsPanel => "Verschlüsselung und Zertifikate",
        Version => "TLS-Version",
        Cipher => "Verschlüsselungsverfahren",
        Certificate => "Zertifikat",
        Subject => "Inhaber",
        Issuer => "Aussteller",
        Names => "Namen",
        ValidFrom => "Gültig ab",
        ValidTo => "Gültig bis",
        Key => "Schlüssel",
        Verdict => "Bewertung",
        Transcript => "Protokoll (Passwörter entfernt)",
        CopyReport => "Bericht kopieren",
        Copied => "Kopiert",
        DownloadJson => "JSON herunterladen",
        RelayError => "Die Prüfung konnte nicht ausgeführt werden",
        ConnectionLost => "Die Verbindung zum Prüfdienst wurde unterbrochen.",
        Cancelled => "Abgebrochen.",
        NotRun => "nicht ausgeführt",
        Advice => "Empfehlungen",
        AdviceIntro => "Das Postfach funktioniert. Damit würde es noch besser funktionieren:",
        NotHere => "Auf dieser Seite können keine Prüfungen laufen",
    }
}

fn nb(key: T) -> &'static str {
    use T::*;
    match key {
        Title => "Inbox Doctor",
        Intro => "Finner ut hvorfor e-postkassen din ikke kan kobles til, og hva du kan gjøre med det. Vi kobler til serverne dine nøyaktig slik et tilkoblet produkt ville gjort, og viser hvert trinn.",
        Language => "Språk",
        Email => "E-postadresse",
        Password => "Passord",
        KeepPassword => "Behold passordet etter kontrollen",
        Username => "Brukernavn",
        UsernameHint => "Bare hvis det ikke er e-postadressen din",
        ImapServer => "Innkommende e-post (IMAP)",
        SmtpServer => "Utgående e-post (SMTP)",
        Host => "Servernavn",
        Port => "Port",
        Security => "Sikkerhet",
        SecurityAuto => "Automatisk (etter port)",
        SecurityTls => "SSL/TLS",
        SecurityStarttls => "STARTTLS",
        SecurityPlain => "Ingen (ukryptert)",
        SeparateSmtp => "Egen pålogging for SMTP",
        SmtpUsername => "SMTP-brukernavn",
        SmtpPassword => "SMTP-passord",
        AllowInsecure => "Tillat ikke-sikkert sertifikat",
        AllowInsecureHint => "Fortsett forbi et sertifikat som ikke er klarert; det blir likevel rapportert",
        TestRecipient => "Send testmeldingen til",
        Roundtrip => "Vent til test-e-posten kommer fram i innboksen",
        Run => "Sjekk e-postkassen min",
        Running => "Sjekker…",
        Cancel => "Stopp",
        Prefilled => "Fylt ut fra organisasjonens innstillinger",
        Discovered => "Fylt ut med innstillingene som ble funnet for adressen din",
        LookingUp => "Slår opp innstillingene for adressen din …",
        ErrEmail => "Skriv inn en e-postadresse som navn@example.com.",
        ErrPassword => "Skriv inn passordet.",
        ErrHost => "Skriv inn servernavnet.",
        ErrPort => "Porten er et tall fra 1 til 65535.",
        Steps => "Trinn",
        Imap => "IMAP",
        Smtp => "SMTP",
        Waiting => "venter",
        InProgress => "pågår",
        Passed => "bestått",
        Failed => "mislyktes",
        Skipped => "hoppet over",
        AllGood => "Alt fungerer: denne e-postkassen kan kobles til.",
        ServerSaid => "Serveren svarte",
        Detail => "Detaljer",
        WhatToDo => "Hva du kan gjøre",
        Warnings => "Verdt å rette opp",
        TlsPanel => "Kryptering og sertifikater",
        Version => "Versjon",
        Cipher => "Chiffer",
        Certificate => "Sertifikat",
        Subject => "Innehaver",
        Issuer => "Utsteder",
        Names => "Navn",
        ValidFrom => "Gyldig fra",
        ValidTo => "Gyldig til",
        Key => "Nøkkel",
        Verdict => "Vurdering",
        Transcript => "Logg (passord fjernet)",
        CopyReport => "Kopier rapport",
        Copied => "Kopiert",
        DownloadJson => "Last ned JSON",
        RelayError => "Kontrollen kunne ikke kjøres",
        ConnectionLost => "Forbindelsen til kontrolltjenesten ble brutt.",
        Cancelled => "Stoppet.",
        NotRun => "ikke kjørt",
        Advice => "Forslag",
        AdviceIntro => "E-postkassen fungerer. Dette ville fått den til å fungere enda bedre:",
        NotHere => "Kontroller kan ikke kjøres på denne siden",
    }
}

fn pl(key: T) -> &'static str {
    use T::*;
    match key {
        Title => "Inbox Doctor",
        Intro => "Sprawdza, dlaczego nie można połączyć się z Twoją skrzynką pocztową i co z tym zrobić. Łączymy się z Twoimi serwerami dokładnie tak, jak zrobiłby to połączony produkt, i pokazujemy każdy krok.",
        Language => "Język",
        Email => "Adres e-mail",
        Password => "Hasło",
        KeepPassword => "Zachowaj hasło po sprawdzeniu",
        Username => "Nazwa użytkownika",
        UsernameHint => "Tylko jeśli nie jest to Twój adres e-mail",
        ImapServer => "Poczta przychodząca (IMAP)",
        SmtpServer => "Poczta wychodząca (SMTP)",
        Host => "Serwer",
        Port => "Port",
        Security => "Zabezpieczenia",
        SecurityAuto => "Automatycznie (według portu)",
        SecurityTls => "SSL/TLS",
        SecurityStarttls => "STARTTLS",
        SecurityPlain => "Brak (bez szyfrowania)",
        SeparateSmtp => "Inne dane logowania do SMTP",
        SmtpUsername => "Nazwa użytkownika SMTP",
        SmtpPassword => "Hasło SMTP",
        AllowInsecure => "Zezwalaj na niezabezpieczony certyfikat",
        AllowInsecureHint => "Kontynuuj mimo niezaufanego certyfikatu; nadal zostanie on zgłoszony",
        TestRecipient => "Wyślij wiadomość testową na adres",
        Roundtrip => "Poczekaj, aż testowa wiadomość dotrze do skrzynki odbiorczej",
        Run => "Sprawdź moją skrzynkę",
        Running => "Sprawdzanie…",
        Cancel => "Zatrzymaj",
        Prefilled => "Uzupełnione na podstawie ustawień Twojej organizacji",
        Discovered => "Uzupełnione ustawieniami znalezionymi dla Twojego adresu",
        LookingUp => "Szukam ustawień dla Twojego adresu…",
        ErrEmail => "Wpisz adres e-mail, np. nazwa@example.com.",
        ErrPassword => "Wpisz hasło.",
        ErrHost => "Wpisz nazwę serwera.",
        ErrPort => "Port to liczba od 1 do 65535.",
        Steps => "Kroki",
        Imap => "IMAP",
        Smtp => "SMTP",
        Waiting => "oczekuje",
        InProgress => "w toku",
        Passed => "udany",
        Failed => "nieudany",
        Skipped => "pominięty",
        AllGood => "Wszystko działa: tę skrzynkę pocztową można połączyć.",
        ServerSaid => "Odpowiedź serwera",
        Detail => "Szczegóły",
        WhatToDo => "Co zrobić",
        Warnings => "Warto poprawić",
        TlsPanel => "Szyfrowanie i certyfikaty",
        Version => "Wersja",
        Cipher => "Szyfr",
        Certificate => "Certyfikat",
        Subject => "Podmiot",
        Issuer => "Wystawca",
        Names => "Nazwy",
        ValidFrom => "Ważny od",
        ValidTo => "Ważny do",
        Key => "Klucz",
        Verdict => "Ocena",
        Transcript => "Zapis sesji (bez haseł)",
        CopyReport => "Kopiuj raport",
        Copied => "Skopiowano",
        DownloadJson => "Pobierz JSON",
        RelayError => "Nie udało się przeprowadzić sprawdzenia",
        ConnectionLost => "Utracono połączenie z usługą sprawdzającą.",
        Cancelled => "Zatrzymano.",
        NotRun => "nie wykonano",
        Advice => "Sugestie",
        AdviceIntro => "Skrzynka działa. To pozwoliłoby jej działać jeszcze lepiej:",
        NotHere => "Na tej stronie nie można uruchomić sprawdzenia",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [T; 69] = [
        T::Title,
        T::Intro,
        T::Language,
        T::Email,
        T::Password,
        T::KeepPassword,
        T::Username,
        T::UsernameHint,
        T::ImapServer,
        T::SmtpServer,
        T::Host,
        T::Port,
        T::Security,
        T::SecurityAuto,
        T::SecurityTls,
        T::SecurityStarttls,
        T::SecurityPlain,
        T::SeparateSmtp,
        T::SmtpUsername,
        T::SmtpPassword,
        T::AllowInsecure,
        T::AllowInsecureHint,
        T::TestRecipient,
        T::Roundtrip,
        T::Run,
        T::Running,
        T::Cancel,
        T::Prefilled,
        T::Discovered,
        T::LookingUp,
        T::ErrEmail,
        T::ErrPassword,
        T::ErrHost,
        T::ErrPort,
        T::Steps,
        T::Imap,
        T::Smtp,
        T::Waiting,
        T::InProgress,
        T::Passed,
        T::Failed,
        T::Skipped,
        T::AllGood,
        T::ServerSaid,
        T::Detail,
        T::WhatToDo,
        T::Warnings,
        T::TlsPanel,
        T::Version,
        T::Cipher,
        T::Certificate,
        T::Subject,
        T::Issuer,
        T::Names,
        T::ValidFrom,
        T::ValidTo,
        T::Key,
        T::Verdict,
        T::Transcript,
        T::CopyReport,
        T::Copied,
        T::DownloadJson,
        T::RelayError,
        T::ConnectionLost,
        T::Cancelled,
        T::NotRun,
        T::Advice,
        T::AdviceIntro,
        T::NotHere,
    ];

    #[test]
    fn every_string_is_translated() {
        for key in ALL {
            for lang in [Lang::De, Lang::Nb, Lang::Pl] {
                let words = t(lang, key);
                assert!(!words.is_empty());
                // Names and protocol words are the same everywhere; sentences are not.
                if !matches!(
                    key,
                    T::Title | T::Imap | T::Smtp | T::SecurityTls | T::SecurityStarttls | T::Port
                ) {
                    assert_ne!(words, t(Lang::En, key), "{key:?} {lang:?}");
                }
            }
        }
    }
}
