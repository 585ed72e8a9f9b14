//! Polish texts.

use super::{CauseText, Label, Phrase};
use crate::finding::FindingKind;
use crate::hint::HintKind;
use crate::protocol::ErrorCode;
use crate::step::{SkipReason, StepId};
use crate::taxonomy::{Category, Cause};

pub(super) fn category(c: Category) -> &'static str {
    match c {
        Category::ImapSettingsIncorrect => "Nieprawidłowe ustawienia IMAP",
        Category::ImapAuthenticationError => "Błąd uwierzytelniania IMAP",
        Category::ImapValidationError => "Błąd walidacji IMAP",
        Category::SmtpSettingsIncorrect => "Nieprawidłowe ustawienia SMTP",
        Category::TestEmailFailed => "Testowa wiadomość e-mail nie powiodła się",
        Category::Unauthorized => "Brak autoryzacji",
        Category::UnauthorizedAppPasswordRequired => "Brak autoryzacji – wymagane hasło aplikacji",
        Category::UnauthorizedUntrustedCertificate => {
            "Brak autoryzacji – certyfikat SSL niezaufany"
        }
    }
}

pub(super) fn step(s: StepId) -> &'static str {
    match s {
        StepId::Resolve => "Wyszukiwanie nazw serwerów",
        StepId::ImapConnect => "Łączenie z serwerem IMAP",
        StepId::ImapTls => "Zabezpieczanie połączenia IMAP",
        StepId::ImapLogin => "Logowanie do IMAP",
        StepId::ImapValidate => "Sprawdzanie skrzynki pocztowej",
        StepId::SmtpConnect => "Łączenie z serwerem SMTP",
        StepId::SmtpTls => "Zabezpieczanie połączenia SMTP",
        StepId::SmtpLogin => "Logowanie do SMTP",
        StepId::SmtpSend => "Wysyłanie testowej wiadomości e-mail",
        StepId::Roundtrip => "Oczekiwanie na testową wiadomość w skrzynce odbiorczej",
    }
}

pub(super) fn skip(r: SkipReason) -> &'static str {
    match r {
        SkipReason::ImapFailed => "wcześniejszy krok IMAP się nie powiódł",
        SkipReason::SmtpFailed => "wcześniejszy krok SMTP się nie powiódł",
        SkipReason::NameNotResolved => "nie znaleziono nazwy serwera",
        SkipReason::PlainRequested => "wybrano połączenie bez TLS",
        SkipReason::NotRequested => "nie zażądano",
        SkipReason::TestEmailNotSent => "wiadomość testowa nie została wysłana",
        SkipReason::OtherRecipient => "wiadomość testowa trafia do innej skrzynki",
    }
}

pub(super) fn phrase(p: Phrase) -> &'static str {
    match p {
        Phrase::Passed => "powodzenie",
        Phrase::Failed => "niepowodzenie",
        Phrase::Skipped => "pominięto",
        Phrase::Warning => "Ostrzeżenie",
        Phrase::WhatToDo => "Co możesz zrobić",
        Phrase::ServerSaid => "Odpowiedź serwera",
        Phrase::AllPassed => "Wszystko działa: tę skrzynkę pocztową można podłączyć.",
        Phrase::Detail => "Szczegóły",
    }
}

pub(super) fn cause(c: Cause) -> CauseText {
    use Cause::*;
    let (title, explanation, remediation): (&str, &str, &[&str]) = match c {
        DnsNameNotFound => (
            "Nie znaleziono nazwy serwera",
            "Nazwa serwera nie istnieje w DNS, więc nie ma się z czym połączyć. Zwykle to literówka albo nazwa, której nigdy nie skonfigurowano.",
            &[
                "Sprawdź pisownię nazwy serwera (na przykład imap.example.com, a nie imap.example.con).",
                "Poprawną nazwę serwera znajdziesz na stronach pomocy dostawcy poczty e-mail; możesz też zapytać dział IT.",
            ],
        ),
        DnsLookupFailed => (
            "Nie udało się wyszukać nazwy serwera",
            "Zapytanie DNS o nazwę serwera nie powiodło się i nie przyniosło jednoznacznej odpowiedzi. Sama nazwa może być poprawna – to serwery DNS nie odpowiedziały prawidłowo.",
            &[
                "Spróbuj ponownie za kilka minut.",
                "Jeśli błąd się powtarza, zapytaj dział IT, czy DNS domeny działa poprawnie.",
            ],
        ),
        ConnectionRefused => (
            "Połączenie odrzucone (port zamknięty)",
            "Serwer odpowiedział, ale odrzucił połączenie na tym porcie: albo nic na nim nie nasłuchuje, albo połączenie blokuje zapora sieciowa.",
            &[
                "Sprawdź port. IMAP zwykle używa portu 993 (TLS) lub 143 (STARTTLS), a SMTP – 465 (TLS), 587 (STARTTLS) lub 25.",
                "Upewnij się, że nazwa serwera wskazuje serwer poczty, a nie na przykład stronę internetową.",
                "Jeśli ustawienia są poprawne, zapytaj dział IT, czy usługa poczty działa i jest dostępna z zewnątrz.",
            ],
        ),
        NoAnswer => (
            "Brak odpowiedzi (filtrowanie?)",
            "Serwer w ogóle nie odpowiedział w wyznaczonym czasie. Najprawdopodobniej zapora sieciowa po cichu odrzuca połączenie albo adres jest błędny.",
            &[
                "Sprawdź nazwę serwera i port.",
                "Jeśli dział IT dopuszcza tylko określone adresy IP, poproś o dodanie adresu źródłowego podanego w tym raporcie do listy dozwolonych.",
                "Upewnij się, że żadna zapora w sieci, z której korzystasz, nie blokuje połączeń wychodzących na ten port.",
            ],
        ),
        NetworkUnreachable => (
            "Sieć nieosiągalna",
            "Z miejsca, w którym uruchomiono test, nie prowadzi żadna trasa sieciowa do adresu serwera.",
            &[
                "Sprawdź nazwę serwera – może wskazywać adres wewnętrzny lub nieaktualny.",
                "Jeśli serwer znajduje się w sieci wewnętrznej, uruchom test z komputera w tej sieci.",
            ],
        ),
        ConnectionClosed => (
            "Serwer zamknął połączenie",
            "Serwer nieoczekiwanie zamknął połączenie w trakcie wymiany komunikatów.",
            &[
                "Spróbuj ponownie – serwer mógł być właśnie uruchamiany ponownie.",
                "Jeśli to się powtarza, wyślij ten raport do działu IT: zapis sesji pokazuje, w którym momencie serwer przerwał połączenie.",
            ],
        ),
        ServerTimeout => (
            "Serwer przestał odpowiadać",
            "Połączenie było otwarte, ale serwer nie odpowiedział w wyznaczonym czasie.",
            &[
                "Spróbuj ponownie za kilka minut.",
                "Jeśli to się powtarza, wyślij ten raport do działu IT.",
            ],
        ),
        TlsModeMismatch => (
            "Nieprawidłowy tryb zabezpieczeń dla tego portu",
            "Ustawienie zabezpieczeń nie pasuje do tego, czego serwer używa na tym porcie: jedna strona oczekiwała połączenia szyfrowanego (TLS) od samego początku, a druga – nieszyfrowanego powitania, po którym następuje STARTTLS.",
            &[
                "Używaj TLS (SSL) dla portów 993 i 465, a STARTTLS dla portów 143 i 587.",
                "Możesz też zachować ustawienie zabezpieczeń i zmienić port na taki, który mu odpowiada.",
            ],
        ),
        NotImapServer => (
            "To nie jest serwer IMAP",
            "Na tym porcie coś odpowiedziało, ale nie jest to serwer IMAP.",
            &[
                "Sprawdź nazwę serwera i port; IMAP zwykle używa portu 993 lub 143.",
                "Upewnij się, że ustawienia IMAP i SMTP nie zostały zamienione miejscami.",
            ],
        ),
        NotSmtpServer => (
            "To nie jest serwer SMTP",
            "Na tym porcie coś odpowiedziało, ale nie jest to serwer SMTP.",
            &[
                "Sprawdź nazwę serwera i port; SMTP zwykle używa portu 465, 587 lub 25.",
                "Upewnij się, że ustawienia IMAP i SMTP nie zostały zamienione miejscami.",
            ],
        ),
        OutdatedTlsOnly => (
            "Serwer obsługuje tylko przestarzały TLS",
            "Serwer oferuje wyłącznie SSLv3, TLS 1.0 lub TLS 1.1. Te wersje są niebezpieczne i są odrzucane; wymagany jest TLS 1.2 lub nowszy.",
            &[
                "Poproś dział IT lub dostawcę o włączenie TLS 1.2 i TLS 1.3 na serwerze poczty.",
                "Żadne ustawienie po twojej stronie nie pozwala bezpiecznie obejść tego problemu.",
            ],
        ),
        TlsHandshakeFailed => (
            "Nie udało się nawiązać bezpiecznego połączenia",
            "Uzgadnianie TLS (handshake) z serwerem nie powiodło się z przyczyny innej niż certyfikat.",
            &[
                "Sprawdź ustawienie zabezpieczeń i port.",
                "Wyślij ten raport do działu IT; w szczegółach widać, co poszło nie tak.",
            ],
        ),
        StarttlsNotOffered => (
            "Serwer nie oferuje STARTTLS",
            "Połączenie było nieszyfrowane, a serwer nie oferuje przełączenia go na TLS, więc hasło zostałoby przesłane bez szyfrowania.",
            &[
                "Użyj zamiast tego portu z szyfrowaniem TLS od początku połączenia (993 dla IMAP, 465 dla SMTP) i ustaw zabezpieczenia na TLS.",
                "Poproś dział IT o włączenie STARTTLS na tym porcie.",
            ],
        ),
        StarttlsRefused => (
            "Serwer odrzucił STARTTLS",
            "Serwer zadeklarował obsługę STARTTLS, ale odmówił jego uruchomienia.",
            &[
                "Użyj zamiast tego portu z szyfrowaniem TLS od początku połączenia (993 dla IMAP, 465 dla SMTP).",
                "Wyślij ten raport do działu IT; zawiera on odpowiedź serwera.",
            ],
        ),
        CertificateSelfSigned => (
            "Certyfikat z podpisem własnym",
            "Certyfikat serwera jest podpisany przez sam serwer, a nie przez urząd certyfikacji, więc nikt nie poświadcza, że rzeczywiście należy do tego serwera.",
            &[
                "Poproś dział IT o zainstalowanie certyfikatu wystawionego przez zaufany urząd certyfikacji.",
                "Jeśli ufasz temu serwerowi, możesz zaznaczyć opcję „Zezwalaj na niezabezpieczony certyfikat” i mimo to nawiązać połączenie.",
            ],
        ),
        CertificateUnknownIssuer => (
            "Certyfikat od nieznanego wystawcy",
            "Certyfikat serwera jest podpisany przez niezaufany urząd – często wewnętrzny urząd certyfikacji firmy – albo serwer nie przesyła certyfikatów pośrednich.",
            &[
                "Poproś dział IT o skonfigurowanie serwera tak, aby przesyłał pełny łańcuch certyfikatów, albo o użycie certyfikatu od publicznego urzędu certyfikacji.",
                "Jeśli to wewnętrzny urząd certyfikacji twojej organizacji, dodaj go jako zaufany (relay instalowany lokalnie: --ca-file).",
                "Jeśli ufasz temu serwerowi, zaznacz opcję „Zezwalaj na niezabezpieczony certyfikat”.",
            ],
        ),
        CertificateExpired => (
            "Certyfikat wygasł",
            "Termin ważności certyfikatu serwera minął i certyfikat nie jest już ważny.",
            &[
                "Poproś dział IT lub dostawcę o odnowienie certyfikatu.",
                "Do tego czasu możesz połączyć się na własne ryzyko, zaznaczając opcję „Zezwalaj na niezabezpieczony certyfikat”.",
            ],
        ),
        CertificateNotYetValid => (
            "Certyfikat nie jest jeszcze ważny",
            "Certyfikat serwera zacznie obowiązywać dopiero w przyszłości. Zegar serwera albo daty w certyfikacie są nieprawidłowe.",
            &[
                "Poproś dział IT o sprawdzenie dat ważności certyfikatu i zegara serwera.",
            ],
        ),
        CertificateNameMismatch => (
            "Certyfikat dotyczy innej nazwy",
            "Certyfikat jest ważny, ale wystawiono go dla innej nazwy serwera niż ta, którą wpisano.",
            &[
                "Użyj nazwy serwera, dla której wystawiono certyfikat (znajdziesz ją w szczegółach certyfikatu poniżej).",
                "Możesz też poprosić dział IT o dodanie tej nazwy do certyfikatu.",
            ],
        ),
        CertificateInvalid => (
            "Certyfikat odrzucony",
            "Certyfikat serwera jest nieprawidłowo sformatowany lub nie przechodzi weryfikacji.",
            &[
                "Poproś dział IT o sprawdzenie certyfikatu; szczegóły wskazują, na czym polega problem.",
            ],
        ),
        InvalidCredentials => (
            "Nieprawidłowa nazwa użytkownika lub hasło",
            "Serwer nie zaakceptował nazwy użytkownika lub hasła.",
            &[
                "Sprawdź adres e-mail i hasło; dla pewności zaloguj się tym samym hasłem do poczty w przeglądarce.",
                "Niektóre serwery wymagają nazwy użytkownika innej niż adres e-mail – zapytaj dział IT.",
                "Jeśli na koncie jest włączona weryfikacja dwuetapowa, prawdopodobnie potrzebujesz hasła aplikacji.",
            ],
        ),
        AppPasswordRequired => (
            "Wymagane hasło aplikacji",
            "Dostawca nie akceptuje zwykłego hasła w programach pocztowych – wymaga osobnego hasła aplikacji.",
            &[
                "Utwórz hasło aplikacji w ustawieniach zabezpieczeń konta e-mail.",
                "Wpisz tutaj to hasło aplikacji zamiast zwykłego hasła.",
            ],
        ),
        BasicAuthDisabled => (
            "Logowanie hasłem jest wyłączone",
            "Serwer nie akceptuje już nazwy użytkownika i hasła dla tego protokołu (uwierzytelnianie podstawowe jest wyłączone): oczekuje OAuth albo administrator wyłączył tę funkcję.",
            &[
                "Poproś administratora o zezwolenie na uwierzytelniony SMTP lub IMAP (uwierzytelnianie podstawowe) dla tej skrzynki pocztowej.",
                "Microsoft 365: administrator włącza opcję „Uwierzytelniony protokół SMTP” dla skrzynki pocztowej lub dzierżawy.",
            ],
        ),
        ImapDisabled => (
            "Dostęp IMAP jest wyłączony",
            "Konto lub domena nie zezwala na dostęp przez IMAP albo hasło jest nieprawidłowe – serwer nie mówi, która z tych przyczyn zachodzi.",
            &[
                "Włącz dostęp IMAP w ustawieniach konta e-mail albo poproś administratora o jego włączenie.",
                "Jeśli IMAP jest już włączony, sprawdź hasło.",
            ],
        ),
        WebLoginRequired => (
            "Najpierw zaloguj się przez przeglądarkę",
            "Dostawca zablokował logowanie i prosi, aby najpierw zalogować się w jego witrynie – zwykle po próbie logowania, która wyglądała podejrzanie.",
            &[
                "Zaloguj się do poczty w przeglądarce i potwierdź ewentualne komunikaty zabezpieczeń.",
                "Następnie uruchom test ponownie.",
            ],
        ),
        AccountDisabled => (
            "Konto wymaga uwagi",
            "Według serwera konto jest wyłączone lub zablokowane albo wymaga interwencji administratora.",
            &[
                "Skontaktuj się z administratorem poczty lub dostawcą.",
            ],
        ),
        TooManyConnections => (
            "Zbyt wiele połączeń",
            "Serwer odmówił połączenia, ponieważ to konto ma już zbyt wiele jednoczesnych połączeń. Niektóre serwery zgłaszają to jako błąd uwierzytelniania.",
            &[
                "Zamknij inne programy pocztowe lub odłącz urządzenia połączone z tą skrzynką albo odczekaj kilka minut.",
                "Poproś dział IT o zwiększenie limitu jednoczesnych połączeń na użytkownika.",
            ],
        ),
        PlaintextLoginRefused => (
            "Odrzucono logowanie przez nieszyfrowane połączenie",
            "Serwer nie przyjmuje hasła przesyłanego przez nieszyfrowane połączenie.",
            &[
                "Ustaw zabezpieczenia na TLS (port 993 lub 465) albo STARTTLS (port 143 lub 587).",
            ],
        ),
        NoSupportedAuthMechanism => (
            "Serwer nie oferuje logowania hasłem",
            "Serwer nie oferuje żadnej metody logowania przy użyciu hasła (PLAIN ani LOGIN), a przynajmniej nie w tym połączeniu.",
            &[
                "Użyj zabezpieczonego połączenia (TLS lub STARTTLS); wiele serwerów oferuje logowanie hasłem tylko w takim połączeniu.",
                "Zapytaj dział IT, czy ten serwer wymaga OAuth lub innej metody logowania.",
            ],
        ),
        AuthFailedUnspecified => (
            "Logowanie odrzucone bez podania przyczyny",
            "Serwer odrzucił logowanie, ale nie podał przyczyny. Najczęściej chodzi o nieprawidłowe hasło, wymóg użycia hasła aplikacji, wyłączone logowanie hasłem albo niedozwolony adres źródłowy.",
            &[
                "Sprawdź adres e-mail, nazwę użytkownika i hasło.",
                "Sprawdź, czy dostawca wymaga hasła aplikacji lub czy nie wyłączył logowania hasłem (uwierzytelniania podstawowego).",
                "Jeśli dział IT dopuszcza tylko określone adresy IP, poproś o dodanie adresu źródłowego z tego raportu do listy dozwolonych.",
            ],
        ),
        TemporaryServerError => (
            "Tymczasowy problem z serwerem",
            "Serwer zgłosił tymczasowy problem, który nie ma związku z ustawieniami.",
            &[
                "Spróbuj ponownie za kilka minut.",
                "Jeśli problem nie ustępuje, wyślij ten raport do działu IT lub dostawcy.",
            ],
        ),
        OauthNotOffered => (
            "Serwer nie oferuje logowania przez OAuth",
            "Serwer nie oferuje logowania tokenem OAuth (ani XOAUTH2, ani OAUTHBEARER), a przynajmniej nie w tym połączeniu, więc nie można tu użyć tokenu.",
            &[
                "Sprawdź, czy serwer i port to te podane przez dostawcę (na przykład outlook.office365.com lub smtp.office365.com dla Microsoft 365, imap.gmail.com dla Gmaila).",
                "Użyj zabezpieczonego połączenia (TLS lub STARTTLS); niektóre serwery oferują logowanie przez OAuth tylko w takim połączeniu.",
                "W przeciwnym razie zaloguj się hasłem lub hasłem aplikacji, jeśli dostawca na to pozwala, albo zapytaj administratora.",
            ],
        ),
        TokenExpired => (
            "Token dostępu wygasł",
            "Token dostępu nie jest już ważny, ponieważ upłynął jego czas ważności. Tokeny są zwykle ważne około godziny.",
            &[
                "Zaloguj się ponownie, aby uzyskać nowy token, a następnie uruchom test ponownie.",
                "Jeśli tę skrzynkę łączy jakiś produkt, musi on odnawiać token za pomocą tokenu odświeżania (refresh token), zanim token wygaśnie.",
            ],
        ),
        TokenWrongAudience => (
            "Token dotyczy innej usługi",
            "Token dostępu został wydany dla innej usługi niż poczta (na przykład dla Microsoft Graph), więc serwer pocztowy go nie przyjmuje.",
            &[
                "Microsoft 365: poproś o token z zakresem (scope) spod adresu https://outlook.office.com/, na przykład https://outlook.office.com/IMAP.AccessAsUser.All.",
                "Gmail: poproś o token z zakresem https://mail.google.com/.",
                "Następnie zaloguj się ponownie i uruchom test jeszcze raz.",
            ],
        ),
        TokenScopeMissing => (
            "Tokenowi brakuje uprawnienia",
            "Token dostępu nie zawiera uprawnienia (zakresu, ang. scope), którego wymaga ten protokół – na przykład pozwala na IMAP, ale nie na wysyłanie przez SMTP.",
            &[
                "Zaloguj się ponownie i poproś o brakujące uprawnienie (Microsoft 365: IMAP.AccessAsUser.All dla IMAP, SMTP.Send dla SMTP).",
                "Jeśli uprawnienie nie jest dostępne, administrator może najpierw musieć udzielić na nie zgody w rejestracji aplikacji.",
            ],
        ),
        TokenWrongUser => (
            "Token należy do innego konta",
            "Token dostępu został wydany dla innego konta niż skrzynka, którą łączysz.",
            &[
                "Zaloguj się ponownie na konto tej skrzynki; upewnij się, że przeglądarka nie jest już zalogowana na inne konto.",
                "W przypadku skrzynki udostępnionej konto, na które się logujesz, musi mieć do niej prawa dostępu – zapytaj administratora.",
            ],
        ),
        TokenRejected => (
            "Token odrzucony",
            "Serwer odrzucił token dostępu bez podania przyczyny. Token mógł zostać unieważniony, przestać działać po wylogowaniu lub zmianie hasła, być uszkodzony albo pochodzić od innego dostawcy.",
            &[
                "Zaloguj się ponownie, aby uzyskać nowy token, a następnie uruchom test ponownie.",
                "Zapytaj administratora, czy organizacja zezwala na aplikację, przez którą się logujesz.",
                "Sprawdź, czy data i godzina na komputerze są prawidłowe.",
            ],
        ),
        SmtpAuthDisabled => (
            "Logowanie SMTP jest wyłączone",
            "Token jest w porządku, ale uwierzytelniony SMTP (wysyłanie z logowaniem) jest wyłączony dla tej skrzynki lub całej organizacji. Dopóki jest wyłączony, OAuth też nie pomoże.",
            &[
                "Poproś administratora o włączenie uwierzytelnionego SMTP dla tej skrzynki lub organizacji.",
                "Microsoft 365: w centrum administracyjnym administrator otwiera użytkownika, następnie Poczta → Zarządzaj aplikacjami poczty e-mail i włącza opcję „Uwierzytelniony protokół SMTP” – albo włącza ją dla całej dzierżawy.",
            ],
        ),
        MailboxListFailed => (
            "Nie udało się pobrać listy folderów",
            "Logowanie się powiodło, ale serwer odmówił podania listy folderów skrzynki pocztowej.",
            &[
                "Wyślij ten raport do działu IT; zawiera on odpowiedź serwera.",
            ],
        ),
        InboxNotSelectable => (
            "Nie można otworzyć folderu INBOX",
            "Logowanie się powiodło, ale serwer odmówił otwarcia folderu INBOX, więc nie można odczytać nowych wiadomości.",
            &[
                "Sprawdź, czy skrzynka działa w poczcie w przeglądarce.",
                "Wyślij ten raport do działu IT; zawiera on odpowiedź serwera.",
            ],
        ),
        MailboxUnavailable => (
            "Skrzynka pocztowa niedostępna",
            "Logowanie się powiodło, ale serwer nie mógł uzyskać dostępu do powiązanej z kontem skrzynki pocztowej (może mieć wyłączony IMAP albo być w trakcie przenoszenia).",
            &[
                "Sprawdź, czy IMAP jest włączony dla tej skrzynki pocztowej.",
                "Spróbuj ponownie później; jeśli problem nie ustępuje, skontaktuj się z administratorem.",
            ],
        ),
        SenderRejected => (
            "Adres nadawcy odrzucony",
            "Serwer SMTP odmówił wysłania poczty z tego adresu przy użyciu tych danych logowania.",
            &[
                "Wysyłaj z adresu powiązanego z danymi logowania albo poproś administratora o uprawnienie „Wyślij jako”.",
            ],
        ),
        RecipientRejected => (
            "Odbiorca odrzucony",
            "Serwer SMTP odrzucił odbiorcę testowego. Być może przy tych danych logowania nie przekazuje poczty (relay) na ten adres albo adres nie istnieje.",
            &[
                "Upewnij się, że logujesz się do SMTP (bez uwierzytelnienia serwer odmawia przekazywania poczty).",
                "Sprawdź adres odbiorcy testowego.",
                "Jeśli dział IT zezwala na wysyłanie tylko z określonych adresów IP, poproś o dodanie adresu źródłowego z tego raportu do listy dozwolonych.",
            ],
        ),
        MessageRejected => (
            "Testowa wiadomość odrzucona",
            "Serwer SMTP zaakceptował nadawcę i odbiorcę, ale odrzucił samą wiadomość.",
            &[
                "Wyślij ten raport do działu IT; odpowiedź serwera wyjaśnia przyczynę.",
            ],
        ),
        SendingLimitReached => (
            "Osiągnięto limit wysyłania",
            "Konto osiągnęło na razie swój limit wysyłania.",
            &[
                "Poczekaj, aż limit zostanie zresetowany (często po 24 godzinach), albo poproś dostawcę o jego zwiększenie.",
            ],
        ),
        TestMessageNotArriving => (
            "Testowa wiadomość nie dotarła",
            "Serwer przyjął testową wiadomość, ale nie pojawiła się ona w folderze INBOX w wyznaczonym czasie.",
            &[
                "Sprawdź folder spamu i filtry na serwerze.",
                "Dostarczenie może po prostu trwać dłużej – uruchom test ponownie.",
                "Jeśli wiadomość w ogóle nie dotrze, poproś dział IT o odszukanie w dziennikach serwera poczty identyfikatora Message-ID podanego w tym raporcie.",
            ],
        ),
        UnexpectedReply => (
            "Nieoczekiwana odpowiedź",
            "Serwer odpowiedział w sposób, który nie pasuje do żadnej znanej sytuacji.",
            &[
                "Wyślij ten raport do działu IT; zawiera on odpowiedź serwera.",
            ],
        ),
        CertificateExpiringSoon => (
            "Certyfikat wkrótce wygaśnie",
            "Certyfikat serwera wygaśnie w ciągu 30 dni. Gdy to nastąpi, połączenia przestaną działać.",
            &[
                "Poproś dział IT lub dostawcę o odnowienie certyfikatu na czas.",
            ],
        ),
        FewerSessionsThanTarget => (
            "Niski limit jednoczesnych połączeń",
            "Serwer zezwala temu kontu na mniej jednoczesnych połączeń, niż może potrzebować podłączony produkt; w przyszłości może odrzucać logowania.",
            &[
                "Poproś dział IT o zwiększenie limitu jednoczesnych połączeń na użytkownika.",
                "Zamknij inne programy pocztowe połączone z tą skrzynką.",
            ],
        ),
        AuthOfferedBeforeTls => (
            "Logowanie hasłem dostępne przed szyfrowaniem",
            "Serwer oferuje logowanie hasłem przez nieszyfrowane połączenie. Nieostrożny klient wysłałby hasło otwartym tekstem.",
            &[
                "Poproś dział IT, aby logowanie było możliwe dopiero po nawiązaniu połączenia TLS.",
            ],
        ),
        WeakTlsAccepted => (
            "Serwer nadal akceptuje przestarzały TLS",
            "Połączenie korzystało z nowoczesnego TLS, ale serwer akceptuje również niebezpieczne wersje TLS 1.0 i 1.1.",
            &[
                "Poproś dział IT o wyłączenie TLS 1.0 i 1.1 na serwerze poczty.",
            ],
        ),
        PlaintextSession => (
            "Nieszyfrowane połączenie",
            "Ta sesja przebiegła bez TLS, więc hasło i wiadomości są przesyłane otwartym tekstem.",
            &[
                "Używaj TLS (port 993 lub 465) albo STARTTLS (port 143 lub 587), jeśli tylko serwer to umożliwia.",
            ],
        ),
        SentFolderNotFound => (
            "Nie znaleziono folderu Wysłane",
            "Żaden folder nie jest oznaczony jako Wysłane ani nie ma typowej nazwy, więc wysłane wiadomości mogą nie być zapisywane.",
            &[
                "Utwórz w poczcie w przeglądarce folder o nazwie „Wysłane” albo wybierz folder wysłanych wiadomości w ustawieniach produktu.",
            ],
        ),
        CapabilityMissing => (
            "Brak funkcji IMAP",
            "Serwer nie obsługuje funkcji IMAP, która usprawnia synchronizację (np. IDLE lub UIDPLUS). Wszystko działa, ale wolniej.",
            &[
                "Na razie nic nie trzeba robić; jeśli synchronizacja działa wolno, poproś dział IT o aktualizację serwera poczty.",
            ],
        ),
    };
    CauseText {
        title,
        explanation,
        remediation,
    }
}

pub(super) fn hint(h: HintKind) -> &'static str {
    match h {
        HintKind::Alternative => "Port {port} na {host} odpowiada z {mode}; wpisano port {entered_port} z {entered_mode}. Użyj tych ustawień.",
        HintKind::AppPassword => "{provider} przyjmuje od programów pocztowych tylko hasło aplikacji: utwórz je na {url} i wpisz zamiast hasła do konta.",
        HintKind::AppPasswordNoUrl => "{provider} przyjmuje od programów pocztowych tylko hasło aplikacji: utwórz je w ustawieniach bezpieczeństwa konta {provider} i wpisz zamiast hasła do konta.",
        HintKind::OauthOnly => "{provider} odrzuca logowanie hasłem z programów pocztowych dla tego rodzaju konta. Produkt musi logować się przez OAuth (przycisk „Zaloguj się przez …”); żadne hasło nie zadziała.",
        HintKind::ImapSwitch => "Dostęp IMAP trzeba najpierw włączyć w ustawieniach webowych {provider}: {url}",
        HintKind::M365SmtpAuth => "W Microsoft 365 administrator musi zezwolić na uwierzytelniony SMTP dla tej skrzynki (Centrum administracyjne Microsoft 365 → użytkownik → Poczta → Zarządzaj aplikacjami poczty e-mail).",
        HintKind::WorkspaceAdminImap => "W Google Workspace to administrator decyduje, czy IMAP jest dozwolony: poproś go o włączenie go dla Twojej jednostki organizacyjnej.",
        HintKind::BridgeLocal => "Poczta {provider} jest dostępna przez aplikację Bridge na Twoim komputerze: musi być uruchomiona, a hasło to to, które pokazuje Bridge, a nie hasło do konta.",
        HintKind::ModeTls => "bezpośrednim TLS",
        HintKind::ModeStarttls => "STARTTLS",
        HintKind::ModePlain => "bez szyfrowania",
    }
}

pub(super) fn refusal(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::BadMessage => "Strona wysłała wiadomość, której przekaźnik nie rozumie. Odśwież stronę i spróbuj ponownie.",
        ErrorCode::UnsupportedVersion => "Ta strona nie pasuje do wersji przekaźnika. Odśwież stronę.",
        ErrorCode::InvalidRequest => "Czegoś w formularzu nie da się sprawdzić w tej postaci. Sprawdź adresy, nazwy i porty.",
        ErrorCode::AlreadyStarted => "W tym oknie sprawdzanie już trwa.",
        ErrorCode::FrameTooLarge => "Formularz wysłał więcej danych, niż przekaźnik przyjmuje.",
        ErrorCode::OriginNotAllowed => "Ta witryna nie może korzystać z tego przekaźnika. Jego operator może na to zezwolić.",
        ErrorCode::Unauthorized => "Ten przekaźnik jest prywatny i wymaga tokenu dostępu.",
        ErrorCode::RateLimited => "Zbyt wiele sprawdzeń z Twojego połączenia w krótkim czasie. Odczekaj minutę i spróbuj ponownie.",
        ErrorCode::TooManyRuns => "Z Twojego połączenia trwa już tyle sprawdzeń naraz, ile jest dozwolone. Poczekaj, aż się zakończą.",
        ErrorCode::Busy => "Przekaźnik jest teraz zajęty. Spróbuj ponownie za chwilę.",
        ErrorCode::TooManySockets => "Z Twojego połączenia otwartych jest zbyt wiele okien sprawdzania. Zamknij niektóre i spróbuj ponownie.",
        ErrorCode::AccountRateLimited => "Logowanie do tej skrzynki było ostatnio zbyt często odrzucane, więc przekaźnik na pewien czas wstrzymuje jej sprawdzanie. Odczekaj przed ponowną próbą i w tym czasie sprawdź hasło.",
        ErrorCode::TargetRateLimited => "Logowania do tego serwera poczty były ostatnio zbyt często odrzucane, więc przekaźnik na pewien czas wstrzymuje jego sprawdzanie. Spróbuj ponownie później.",
        ErrorCode::HostNotAllowed => "Ta strona połączyła się z przekaźnikiem pod nazwą, której on nie obsługuje. Otwórz go pod zwykłym adresem.",
        ErrorCode::EgressRefused => "Przekaźnik nie może łączyć się z tym serwerem.",
        ErrorCode::RecipientNotAllowed => "Testowa wiadomość może trafić tylko do samej skrzynki.",
        ErrorCode::Timeout => "Sprawdzanie trwało zbyt długo i zostało przerwane.",
        ErrorCode::ShuttingDown => "Przekaźnik uruchamia się ponownie. Spróbuj ponownie za chwilę.",
        ErrorCode::Internal => "W przekaźniku wystąpił błąd. Spróbuj ponownie; jeśli to się powtórzy, powiadom jego operatora.",
    }
}

pub(super) fn finding(k: FindingKind) -> &'static str {
    match k {
        FindingKind::CapabilitiesMissing => "Serwer nie ogłasza: {capabilities}.",
        FindingKind::Sessions => "Dozwolone jednoczesne sesje: {allowed} z {wanted}.",
        FindingKind::ExpiresIn => "Dni do wygaśnięcia certyfikatu: {days}.",
        FindingKind::AlsoAccepts => "Serwer akceptuje także {version}.",
        FindingKind::OfferedInClear => "Oferowane przed szyfrowaniem: {mechanisms}.",
    }
}

pub(super) fn label(l: Label) -> &'static str {
    match l {
        Label::Title => "Inbox Doctor",
        Label::Intro => "Sprawdza, dlaczego nie można połączyć się z Twoją skrzynką pocztową i co z tym zrobić. Łączymy się z Twoimi serwerami dokładnie tak, jak zrobiłby to połączony produkt, i pokazujemy każdy krok.",
        Label::Language => "Język",
        Label::Email => "Adres e-mail",
        Label::Password => "Hasło",
        Label::KeepPassword => "Zachowaj hasło po sprawdzeniu",
        Label::Username => "Nazwa użytkownika",
        Label::UsernameHint => "Tylko jeśli nie jest to Twój adres e-mail",
        Label::ImapServer => "Poczta przychodząca (IMAP)",
        Label::SmtpServer => "Poczta wychodząca (SMTP)",
        Label::Host => "Serwer",
        Label::Port => "Port",
        Label::Security => "Zabezpieczenia",
        Label::SecurityAuto => "Automatycznie (według portu)",
        Label::SecurityTls => "SSL/TLS",
        Label::SecurityStarttls => "STARTTLS",
        Label::SecurityPlain => "Brak (bez szyfrowania)",
        Label::SeparateSmtp => "Inne dane logowania do SMTP",
        Label::SmtpUsername => "Nazwa użytkownika SMTP",
        Label::SmtpPassword => "Hasło SMTP",
        Label::AllowInsecure => "Zezwalaj na niezabezpieczony certyfikat",
        Label::AllowInsecureHint => "Kontynuuj mimo niezaufanego certyfikatu; nadal zostanie on zgłoszony",
        Label::TestRecipient => "Wyślij wiadomość testową na adres",
        Label::Roundtrip => "Poczekaj, aż testowa wiadomość dotrze do skrzynki odbiorczej",
        Label::Run => "Sprawdź moją skrzynkę",
        Label::Running => "Sprawdzanie…",
        Label::Cancel => "Zatrzymaj",
        Label::Prefilled => "Ustawione przez administratora dla wszystkich skrzynek tej domeny",
        Label::Discovered => "Uzupełnione ustawieniami znalezionymi dla Twojego adresu",
        Label::LookingUp => "Szukam ustawień dla Twojego adresu…",
        Label::ErrEmail => "Wpisz adres e-mail, np. nazwa@example.com.",
        Label::ErrPassword => "Wpisz hasło.",
        Label::ErrHost => "Wpisz nazwę serwera.",
        Label::ErrPort => "Port to liczba od 1 do 65535.",
        Label::Steps => "Kroki",
        Label::Imap => "IMAP",
        Label::Smtp => "SMTP",
        Label::Waiting => "oczekuje",
        Label::InProgress => "w toku",
        Label::Passed => "udany",
        Label::Failed => "nieudany",
        Label::Skipped => "pominięty",
        Label::AllGood => "Wszystko działa: tę skrzynkę pocztową można połączyć.",
        Label::ServerSaid => "Odpowiedź serwera",
        Label::Detail => "Szczegóły",
        Label::WhatToDo => "Co zrobić",
        Label::Warnings => "Warto poprawić",
        Label::TlsPanel => "Szyfrowanie i certyfikaty",
        Label::Version => "Wersja",
        Label::Cipher => "Szyfr",
        Label::Certificate => "Certyfikat",
        Label::Subject => "Podmiot",
        Label::Issuer => "Wystawca",
        Label::Names => "Nazwy",
        Label::ValidFrom => "Ważny od",
        Label::ValidTo => "Ważny do",
        Label::Key => "Klucz",
        Label::Verdict => "Ocena",
        Label::Transcript => "Zapis sesji (bez haseł)",
        Label::CopyReport => "Kopiuj raport",
        Label::Copied => "Skopiowano",
        Label::DownloadJson => "Pobierz JSON",
        Label::RelayError => "Nie udało się przeprowadzić sprawdzenia",
        Label::ConnectionLost => "Utracono połączenie z usługą sprawdzającą.",
        Label::Cancelled => "Zatrzymano.",
        Label::NotRun => "nie wykonano",
        Label::Advice => "Sugestie",
        Label::AdviceIntro => "Skrzynka działa. To pozwoliłoby jej działać jeszcze lepiej:",
        Label::NotHere => "Na tej stronie nie można uruchomić sprawdzenia",
        Label::TechnicalDetails => "Szczegóły techniczne (dla działu IT)",
        Label::Code => "Kod",
        Label::Step => "Krok",
        Label::BothSides => "Poczta przychodząca i wychodząca (IMAP i SMTP)",
        Label::SameOnBoth => "Poczta przychodząca i wychodząca zawodzi z tego samego powodu.",
        Label::RetryAllowingCertificate => "Sprawdź ponownie, akceptując ten certyfikat",
        Label::RetypePassword => "Hasło nie jest przechowywane po sprawdzeniu. Wpisz je ponownie i sprawdź jeszcze raz.",
        Label::TrustedTypesRefused => "Inbox Doctor nie może się uruchomić na tej stronie: zasady bezpieczeństwa strony (Trusted Types) na to nie pozwalają. Operator witryny może dopuścić zasadę \"inbox-doctor\".",
        Label::SigninInstead => "Skrzynka bez hasła? Zaloguj się zamiast tego u jej dostawcy:",
        Label::SigninWith => "Zaloguj się przez {provider}",
        Label::SignedIn => "Zalogowano przez {provider}. Sprawdzenie loguje się tym logowaniem; hasło nie jest potrzebne.",
        Label::SignOut => "Użyj zamiast tego hasła",
        Label::SigninFailed => "Logowanie nie zostało dokończone. Spróbuj ponownie.",
        Label::SigninOffer => "Ta skrzynka może przyjmować tylko logowanie u dostawcy. Sprawdź ponownie w ten sposób:",
        Label::AdminOpen => "Administracja",
        Label::AdminTitle => "Ustawienia domeny",
        Label::AdminIntro => "Zapisane tu ustawienia wstępnie wypełniają formularz dla każdej skrzynki domeny. Błędne ustawienia odłączą je wszystkie, dlatego każda zmiana jest najpierw sprawdzana.",
        Label::AdminToken => "Token administratora",
        Label::AdminTokenHint => "Przechowywany tylko na tej stronie, dopóki jest otwarta, nigdy w jej adresie.",
        Label::AdminEnter => "Otwórz",
        Label::AdminRefused => "Przekaźnik nie przyjął tego tokenu.",
        Label::Domain => "Domena",
        Label::Domains => "Zapisane domeny",
        Label::NoDomains => "Żadna domena nie ma jeszcze zapisanych ustawień.",
        Label::ChangedBy => "Autor zmiany",
        Label::Edit => "Edytuj",
        Label::History => "Historia",
        Label::AddDomain => "Dodaj domenę",
        Label::CheckSettings => "Sprawdź",
        Label::SaveSettings => "Zapisz",
        Label::SaveAnyway => "Zapisz mimo to",
        Label::SaveAnywayWarning => "Te ustawienia nie przeszły sprawdzenia. Jeśli mimo to je zapiszesz, każda skrzynka domeny dostanie ustawienia, które teraz nie działają.",
        Label::Saved => "Zapisano.",
        Label::SavedForced => "Zapisano, mimo że sprawdzenie się nie powiodło. Historia to odnotowuje.",
        Label::NotSaved => "Nie zapisano: sprawdzenie się nie powiodło.",
        Label::AnswersAsConfigured => "Odpowiada zgodnie z ustawieniami",
        Label::Changes => "Zmiany",
        Label::Field => "Pole",
        Label::Before => "Przed",
        Label::After => "Po",
        Label::NoChanges => "Brak zmian w polach.",
        Label::Restore => "Przywróć tę wersję",
        Label::RestoreAnyway => "Przywróć mimo to",
        Label::ChangeAction => "Zmiana",
        Label::StoredPast => "Zapisano, mimo że sprawdzenie wykazało",
        Label::EgressTitle => "Adresy przekaźnika",
        Label::EgressIntro => "Serwery poczty, które przyjmują tylko znanych klientów, muszą zezwalać na te adresy.",
        Label::EgressNotPinned => "Przekaźnik łączy się z adresu, którego akurat używa jego host. Ustal stałe adresy w jego konfiguracji, aby można je było dodać do listy dozwolonych.",
        Label::Copy => "Kopiuj",
        Label::Close => "Zamknij",
        Label::UseStaticIps => "Łącz się ze stałych adresów przekaźnika",
    }
}
