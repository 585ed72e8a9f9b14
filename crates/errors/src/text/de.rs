//! German texts.

use super::{CauseText, Label, Phrase};
use crate::finding::FindingKind;
use crate::hint::HintKind;
use crate::protocol::ErrorCode;
use crate::step::{SkipReason, StepId};
use crate::taxonomy::{Category, Cause};

pub(super) fn category(c: Category) -> &'static str {
    match c {
        Category::ImapSettingsIncorrect => "IMAP-Einstellungen falsch",
        Category::ImapAuthenticationError => "IMAP-Authentifizierungsfehler",
        Category::ImapValidationError => "IMAP-Validierungsfehler",
        Category::SmtpSettingsIncorrect => "SMTP-Einstellungen falsch",
        Category::TestEmailFailed => "Test-E-Mail fehlgeschlagen",
        Category::Unauthorized => "Nicht autorisiert",
        Category::UnauthorizedAppPasswordRequired => {
            "Nicht autorisiert – App-Passwort erforderlich"
        }
        Category::UnauthorizedUntrustedCertificate => {
            "Nicht autorisiert – SSL-Zertifikat nicht vertrauenswürdig"
        }
    }
}

pub(super) fn step(s: StepId) -> &'static str {
    match s {
        StepId::Resolve => "Servernamen auflösen",
        StepId::ImapConnect => "Verbindung zum IMAP-Server herstellen",
        StepId::ImapTls => "IMAP-Verbindung absichern",
        StepId::ImapLogin => "Bei IMAP anmelden",
        StepId::ImapValidate => "Postfach prüfen",
        StepId::SmtpConnect => "Verbindung zum SMTP-Server herstellen",
        StepId::SmtpTls => "SMTP-Verbindung absichern",
        StepId::SmtpLogin => "Bei SMTP anmelden",
        StepId::SmtpSend => "Test-E-Mail senden",
        StepId::Roundtrip => "Auf die Test-E-Mail im Posteingang warten",
    }
}

pub(super) fn skip(r: SkipReason) -> &'static str {
    match r {
        SkipReason::ImapFailed => "ein früherer IMAP-Schritt ist fehlgeschlagen",
        SkipReason::SmtpFailed => "ein früherer SMTP-Schritt ist fehlgeschlagen",
        SkipReason::NameNotResolved => "der Servername wurde nicht gefunden",
        SkipReason::PlainRequested => "eine Verbindung ohne TLS wurde gewählt",
        SkipReason::NotRequested => "nicht angefordert",
        SkipReason::TestEmailNotSent => "die Test-E-Mail wurde nicht gesendet",
        SkipReason::OtherRecipient => "die Test-E-Mail geht an ein anderes Postfach",
    }
}

pub(super) fn phrase(p: Phrase) -> &'static str {
    match p {
        Phrase::Passed => "bestanden",
        Phrase::Failed => "fehlgeschlagen",
        Phrase::Skipped => "übersprungen",
        Phrase::Warning => "Warnung",
        Phrase::WhatToDo => "Was Sie tun können",
        Phrase::ServerSaid => "Antwort des Servers",
        Phrase::AllPassed => "Alles funktioniert: Dieses Postfach kann verbunden werden.",
        Phrase::Detail => "Details",
    }
}

pub(super) fn cause(c: Cause) -> CauseText {
    use Cause::*;
    let (title, explanation, remediation): (&str, &str, &[&str]) = match c {
        DnsNameNotFound => (
            "Servername nicht gefunden",
            "Den Servernamen gibt es im DNS nicht, daher existiert kein Ziel für die Verbindung. Meist steckt ein Tippfehler dahinter oder ein Name, der nie eingerichtet wurde.",
            &[
                "Prüfen Sie die Schreibweise des Servernamens (zum Beispiel imap.example.com statt imap.example.con).",
                "Den richtigen Servernamen finden Sie auf den Hilfeseiten Ihres E-Mail-Anbieters; alternativ fragen Sie Ihre IT-Abteilung.",
            ],
        ),
        DnsLookupFailed => (
            "Servername konnte nicht aufgelöst werden",
            "Die DNS-Abfrage für den Servernamen ist ohne eindeutige Antwort fehlgeschlagen. Der Name kann durchaus stimmen – die DNS-Server haben nur nicht richtig geantwortet.",
            &[
                "Versuchen Sie es in ein paar Minuten erneut.",
                "Tritt der Fehler weiterhin auf, fragen Sie Ihre IT-Abteilung, ob das DNS der Domain funktioniert.",
            ],
        ),
        ConnectionRefused => (
            "Verbindung abgelehnt (Port geschlossen)",
            "Der Server hat geantwortet, die Verbindung auf diesem Port aber abgelehnt: Entweder ist dort kein Dienst aktiv, oder eine Firewall weist die Verbindung ab.",
            &[
                "Prüfen Sie den Port. IMAP nutzt üblicherweise 993 (TLS) oder 143 (STARTTLS), SMTP 465 (TLS), 587 (STARTTLS) oder 25.",
                "Stellen Sie sicher, dass der Servername zum Mailserver gehört und nicht etwa zur Website.",
                "Sind die Einstellungen korrekt, fragen Sie Ihre IT-Abteilung, ob der Maildienst läuft und von außen erreichbar ist.",
            ],
        ),
        NoAnswer => (
            "Keine Antwort (gefiltert?)",
            "Der Server hat innerhalb des Zeitlimits überhaupt nicht geantwortet. Höchstwahrscheinlich verwirft eine Firewall die Verbindung stillschweigend, oder die Adresse ist falsch.",
            &[
                "Prüfen Sie Servername und Port.",
                "Lässt Ihre IT-Abteilung nur bestimmte IP-Adressen zu, bitten Sie sie, die in diesem Bericht angegebene Quelladresse freizugeben.",
                "Stellen Sie sicher, dass keine Firewall in Ihrem eigenen Netzwerk ausgehende Verbindungen zu diesem Port blockiert.",
            ],
        ),
        NetworkUnreachable => (
            "Netzwerk nicht erreichbar",
            "Von dem Ort aus, an dem der Test lief, gibt es keine Netzwerkroute zur Adresse des Servers.",
            &[
                "Prüfen Sie den Servernamen; möglicherweise verweist er auf eine interne oder veraltete Adresse.",
                "Befindet sich der Server in einem internen Netzwerk, führen Sie den Test innerhalb dieses Netzwerks aus.",
            ],
        ),
        ConnectionClosed => (
            "Verbindung vom Server getrennt",
            "Der Server hat die Verbindung mitten in der Kommunikation unerwartet beendet.",
            &[
                "Versuchen Sie es erneut; möglicherweise wurde der Server gerade neu gestartet.",
                "Passiert das wiederholt, senden Sie diesen Bericht an Ihre IT-Abteilung: Das Protokoll zeigt, an welcher Stelle der Server die Verbindung beendet hat.",
            ],
        ),
        ServerTimeout => (
            "Der Server antwortet nicht mehr",
            "Die Verbindung war aufgebaut, aber der Server hat nicht innerhalb des Zeitlimits geantwortet.",
            &[
                "Versuchen Sie es in ein paar Minuten erneut.",
                "Passiert das wiederholt, senden Sie diesen Bericht an Ihre IT-Abteilung.",
            ],
        ),
        TlsModeMismatch => (
            "Falscher Sicherheitsmodus für diesen Port",
            "Die Sicherheitseinstellung passt nicht zu dem, was der Server auf diesem Port erwartet: Die eine Seite ging von einer von Anfang an verschlüsselten Verbindung (TLS) aus, die andere von einer unverschlüsselten Begrüßung mit anschließendem STARTTLS.",
            &[
                "Verwenden Sie TLS (SSL) für die Ports 993 und 465 und STARTTLS für die Ports 143 und 587.",
                "Oder behalten Sie die Sicherheitseinstellung bei und wechseln Sie zu dem Port, der dazu passt.",
            ],
        ),
        NotImapServer => (
            "Kein IMAP-Server",
            "Auf diesem Port hat zwar ein Dienst geantwortet, aber es handelt sich nicht um einen IMAP-Server.",
            &[
                "Prüfen Sie Servername und Port; IMAP nutzt üblicherweise 993 oder 143.",
                "Stellen Sie sicher, dass Sie die IMAP- und SMTP-Einstellungen nicht vertauscht haben.",
            ],
        ),
        NotSmtpServer => (
            "Kein SMTP-Server",
            "Auf diesem Port hat zwar ein Dienst geantwortet, aber es handelt sich nicht um einen SMTP-Server.",
            &[
                "Prüfen Sie Servername und Port; SMTP nutzt üblicherweise 465, 587 oder 25.",
                "Stellen Sie sicher, dass Sie die IMAP- und SMTP-Einstellungen nicht vertauscht haben.",
            ],
        ),
        OutdatedTlsOnly => (
            "Der Server unterstützt nur veraltetes TLS",
            "Der Server bietet nur SSLv3, TLS 1.0 oder TLS 1.1 an. Diese Versionen sind unsicher und werden abgelehnt; erforderlich ist TLS 1.2 oder neuer.",
            &[
                "Bitten Sie Ihre IT-Abteilung oder Ihren Anbieter, TLS 1.2 und TLS 1.3 auf dem Mailserver zu aktivieren.",
                "Auf Ihrer Seite gibt es keine sichere Einstellung, mit der sich das umgehen lässt.",
            ],
        ),
        TlsHandshakeFailed => (
            "Sichere Verbindung konnte nicht aufgebaut werden",
            "Der TLS-Handshake mit dem Server ist fehlgeschlagen, und zwar nicht wegen des Zertifikats.",
            &[
                "Prüfen Sie die Sicherheitseinstellung und den Port.",
                "Senden Sie diesen Bericht an Ihre IT-Abteilung; aus den Details geht hervor, was schiefgelaufen ist.",
            ],
        ),
        StarttlsNotOffered => (
            "Der Server bietet kein STARTTLS an",
            "Die Verbindung war unverschlüsselt, und der Server bietet keinen Wechsel zu TLS an. Das Passwort würde also unverschlüsselt übertragen.",
            &[
                "Verwenden Sie stattdessen den Port mit implizitem TLS (993 für IMAP, 465 für SMTP) und stellen Sie die Sicherheit auf TLS.",
                "Bitten Sie Ihre IT-Abteilung, STARTTLS auf diesem Port zu aktivieren.",
            ],
        ),
        StarttlsRefused => (
            "Der Server hat STARTTLS abgelehnt",
            "Der Server hat STARTTLS angekündigt, den Wechsel zu TLS dann aber verweigert.",
            &[
                "Verwenden Sie stattdessen den Port mit implizitem TLS (993 für IMAP, 465 für SMTP).",
                "Senden Sie diesen Bericht an Ihre IT-Abteilung; die Antwort des Servers ist darin enthalten.",
            ],
        ),
        CertificateSelfSigned => (
            "Selbstsigniertes Zertifikat",
            "Der Server hat sein Zertifikat selbst signiert, statt es von einer Zertifizierungsstelle ausstellen zu lassen. Niemand bestätigt also, dass es tatsächlich zu diesem Server gehört.",
            &[
                "Bitten Sie Ihre IT-Abteilung, ein Zertifikat einer vertrauenswürdigen Zertifizierungsstelle zu installieren.",
                "Wenn Sie diesem Server vertrauen, können Sie „Unsichere Zertifikate zulassen“ aktivieren und trotzdem eine Verbindung herstellen.",
            ],
        ),
        CertificateUnknownIssuer => (
            "Zertifikat einer unbekannten Zertifizierungsstelle",
            "Das Zertifikat des Servers wurde von einer nicht vertrauenswürdigen Stelle signiert – oft einer internen Firmen-CA –, oder der Server sendet die Zwischenzertifikate nicht mit.",
            &[
                "Bitten Sie Ihre IT-Abteilung, den Server die vollständige Zertifikatskette senden zu lassen oder ein Zertifikat einer öffentlichen Zertifizierungsstelle zu verwenden.",
                "Handelt es sich um die eigene CA Ihrer Organisation, fügen Sie sie als vertrauenswürdige CA hinzu (On-Premises-Relay: --ca-file).",
                "Wenn Sie diesem Server vertrauen, aktivieren Sie „Unsichere Zertifikate zulassen“.",
            ],
        ),
        CertificateExpired => (
            "Zertifikat abgelaufen",
            "Das Zertifikat des Servers hat sein Ablaufdatum überschritten und ist nicht mehr gültig.",
            &[
                "Bitten Sie Ihre IT-Abteilung oder Ihren Anbieter, das Zertifikat zu erneuern.",
                "Bis dahin können Sie mit „Unsichere Zertifikate zulassen“ auf eigenes Risiko eine Verbindung herstellen.",
            ],
        ),
        CertificateNotYetValid => (
            "Zertifikat noch nicht gültig",
            "Das Zertifikat des Servers wird erst in der Zukunft gültig. Entweder geht die Uhr des Servers falsch, oder die Datumsangaben im Zertifikat stimmen nicht.",
            &[
                "Bitten Sie Ihre IT-Abteilung, die Gültigkeitsdaten des Zertifikats und die Serveruhr zu prüfen.",
            ],
        ),
        CertificateNameMismatch => (
            "Zertifikat gilt für einen anderen Namen",
            "Das Zertifikat ist gültig, aber für einen anderen Servernamen als den, den Sie eingegeben haben.",
            &[
                "Verwenden Sie den Servernamen, für den das Zertifikat ausgestellt wurde (er steht unten in den Zertifikatsdetails).",
                "Oder bitten Sie Ihre IT-Abteilung, diesen Namen in das Zertifikat aufzunehmen.",
            ],
        ),
        CertificateInvalid => (
            "Zertifikat abgelehnt",
            "Das Zertifikat des Servers ist fehlerhaft aufgebaut oder besteht die Prüfung nicht.",
            &[
                "Bitten Sie Ihre IT-Abteilung, das Zertifikat zu prüfen; in den Details ist das Problem benannt.",
            ],
        ),
        InvalidCredentials => (
            "Falscher Benutzername oder falsches Passwort",
            "Der Server hat den Benutzernamen oder das Passwort nicht akzeptiert.",
            &[
                "Prüfen Sie E-Mail-Adresse und Passwort; melden Sie sich zur Sicherheit mit demselben Passwort im Webmail an.",
                "Manche Server erwarten einen anderen Benutzernamen als die E-Mail-Adresse; fragen Sie Ihre IT-Abteilung.",
                "Nutzt Ihr Konto die Zwei-Faktor-Authentifizierung, benötigen Sie wahrscheinlich ein App-Passwort.",
            ],
        ),
        AppPasswordRequired => (
            "App-Passwort erforderlich",
            "Ihr Anbieter akzeptiert Ihr normales Passwort nicht für E-Mail-Programme, sondern verlangt ein eigenes App-Passwort.",
            &[
                "Erstellen Sie in den Sicherheitseinstellungen Ihres E-Mail-Kontos ein App-Passwort.",
                "Geben Sie hier dieses App-Passwort statt Ihres normalen Passworts ein.",
            ],
        ),
        BasicAuthDisabled => (
            "Anmeldung per Passwort ist deaktiviert",
            "Der Server akzeptiert für dieses Protokoll keine Anmeldung mit Benutzername und Passwort mehr (die Standardauthentifizierung ist deaktiviert): Er erwartet OAuth, oder ein Administrator hat die Funktion abgeschaltet.",
            &[
                "Bitten Sie Ihren Administrator, für dieses Postfach authentifiziertes SMTP bzw. IMAP (Standardauthentifizierung) zuzulassen.",
                "Microsoft 365: Der Administrator aktiviert „Authentifiziertes SMTP“ für das Postfach oder den Mandanten.",
            ],
        ),
        ImapDisabled => (
            "IMAP-Zugriff ist deaktiviert",
            "Das Konto oder die Domain erlaubt keinen IMAP-Zugriff, oder das Passwort ist falsch – der Server verrät nicht, was von beidem zutrifft.",
            &[
                "Aktivieren Sie den IMAP-Zugriff in den Einstellungen Ihres E-Mail-Kontos, oder bitten Sie Ihren Administrator, ihn freizuschalten.",
                "Ist IMAP bereits aktiviert, prüfen Sie das Passwort.",
            ],
        ),
        WebLoginRequired => (
            "Zuerst im Web anmelden",
            "Der Anbieter hat die Anmeldung blockiert und verlangt, dass Sie sich zuerst auf seiner Website anmelden – meist nach einem verdächtig wirkenden Anmeldeversuch.",
            &[
                "Melden Sie sich in einem Browser bei Ihrem Webmail an und bestätigen Sie etwaige Sicherheitsabfragen.",
                "Führen Sie den Test anschließend erneut aus.",
            ],
        ),
        AccountDisabled => (
            "Konto muss überprüft werden",
            "Laut Server ist das Konto deaktiviert oder gesperrt, oder ein Administrator muss eingreifen.",
            &[
                "Wenden Sie sich an Ihren E-Mail-Administrator oder Ihren Anbieter.",
            ],
        ),
        TooManyConnections => (
            "Zu viele Verbindungen",
            "Der Server hat die Verbindung abgelehnt, weil für dieses Konto bereits zu viele gleichzeitige Verbindungen bestehen. Manche Server melden dies als Authentifizierungsfehler.",
            &[
                "Schließen Sie andere E-Mail-Programme oder trennen Sie Geräte, die mit diesem Postfach verbunden sind, oder warten Sie ein paar Minuten.",
                "Bitten Sie Ihre IT-Abteilung, das Limit für gleichzeitige Verbindungen pro Benutzer zu erhöhen.",
            ],
        ),
        PlaintextLoginRefused => (
            "Anmeldung über unverschlüsselte Verbindung abgelehnt",
            "Der Server nimmt über eine unverschlüsselte Verbindung kein Passwort an.",
            &[
                "Stellen Sie die Sicherheit auf TLS (Port 993 oder 465) oder STARTTLS (Port 143 oder 587).",
            ],
        ),
        NoSupportedAuthMechanism => (
            "Keine Anmeldung per Passwort angeboten",
            "Der Server bietet keine Anmeldemethode mit Passwort (PLAIN oder LOGIN) an, zumindest nicht über diese Verbindung.",
            &[
                "Verwenden Sie eine gesicherte Verbindung (TLS oder STARTTLS); viele Server bieten die Anmeldung per Passwort nur dort an.",
                "Fragen Sie Ihre IT-Abteilung, ob dieser Server OAuth oder eine andere Anmeldemethode voraussetzt.",
            ],
        ),
        AuthFailedUnspecified => (
            "Anmeldung ohne Begründung abgelehnt",
            "Der Server hat die Anmeldung abgelehnt, ohne einen Grund zu nennen. Häufige Ursachen sind ein falsches Passwort, ein erforderliches App-Passwort, eine deaktivierte Anmeldung per Passwort oder eine nicht zugelassene Quelladresse.",
            &[
                "Prüfen Sie E-Mail-Adresse, Benutzername und Passwort.",
                "Prüfen Sie, ob Ihr Anbieter ein App-Passwort verlangt oder die Anmeldung per Passwort (Standardauthentifizierung) deaktiviert hat.",
                "Lässt Ihre IT-Abteilung nur bestimmte IP-Adressen zu, bitten Sie sie, die Quelladresse aus diesem Bericht freizugeben.",
            ],
        ),
        TemporaryServerError => (
            "Vorübergehendes Serverproblem",
            "Der Server hat ein vorübergehendes Problem gemeldet, das nichts mit Ihren Einstellungen zu tun hat.",
            &[
                "Versuchen Sie es in ein paar Minuten erneut.",
                "Besteht das Problem weiterhin, senden Sie diesen Bericht an Ihre IT-Abteilung oder Ihren Anbieter.",
            ],
        ),
        OauthNotOffered => (
            "Keine Anmeldung per OAuth angeboten",
            "Der Server bietet keine Anmeldung mit einem OAuth-Token an (weder XOAUTH2 noch OAUTHBEARER), zumindest nicht über diese Verbindung; das Token lässt sich hier also nicht verwenden.",
            &[
                "Prüfen Sie, ob Server und Port die Ihres Anbieters sind (zum Beispiel outlook.office365.com bzw. smtp.office365.com für Microsoft 365, imap.gmail.com für Gmail).",
                "Verwenden Sie eine gesicherte Verbindung (TLS oder STARTTLS); manche Server bieten die Anmeldung per OAuth nur dort an.",
                "Melden Sie sich andernfalls mit einem Passwort oder App-Passwort an, sofern Ihr Anbieter das erlaubt, oder fragen Sie Ihren Administrator.",
            ],
        ),
        TokenExpired => (
            "Zugriffstoken abgelaufen",
            "Das Zugriffstoken ist nicht mehr gültig, weil seine Laufzeit vorbei ist. Tokens gelten meist nur etwa eine Stunde.",
            &[
                "Melden Sie sich erneut an, um ein neues Token zu erhalten, und führen Sie den Test dann erneut aus.",
                "Verbindet ein Produkt dieses Postfach, muss es das Token mit seinem Aktualisierungstoken (Refresh Token) erneuern, bevor es abläuft.",
            ],
        ),
        TokenWrongAudience => (
            "Token gilt für einen anderen Dienst",
            "Das Zugriffstoken wurde für einen anderen Dienst als E-Mail ausgestellt (zum Beispiel für Microsoft Graph), deshalb nimmt der Mailserver es nicht an.",
            &[
                "Microsoft 365: Fordern Sie das Token mit einem Scope unter https://outlook.office.com/ an, zum Beispiel https://outlook.office.com/IMAP.AccessAsUser.All.",
                "Gmail: Fordern Sie das Token mit dem Scope https://mail.google.com/ an.",
                "Melden Sie sich danach erneut an und führen Sie den Test noch einmal aus.",
            ],
        ),
        TokenScopeMissing => (
            "Dem Token fehlt eine Berechtigung",
            "Das Zugriffstoken enthält nicht die Berechtigung (Scope), die dieses Protokoll braucht – es erlaubt zum Beispiel IMAP, aber nicht das Senden per SMTP.",
            &[
                "Melden Sie sich erneut an und fordern Sie dabei die fehlende Berechtigung an (Microsoft 365: IMAP.AccessAsUser.All für IMAP, SMTP.Send für SMTP).",
                "Wird die Berechtigung nicht angeboten, muss ein Administrator ihr in der App-Registrierung möglicherweise erst zustimmen.",
            ],
        ),
        TokenWrongUser => (
            "Token gehört zu einem anderen Konto",
            "Das Zugriffstoken wurde für ein anderes Konto ausgestellt als das Postfach, das Sie verbinden möchten.",
            &[
                "Melden Sie sich erneut mit dem Konto dieses Postfachs an; achten Sie darauf, dass Ihr Browser nicht bereits mit einem anderen Konto angemeldet ist.",
                "Bei einem freigegebenen Postfach braucht das Konto, mit dem Sie sich anmelden, Zugriffsrechte darauf; fragen Sie Ihren Administrator.",
            ],
        ),
        TokenRejected => (
            "Token abgelehnt",
            "Der Server hat das Zugriffstoken abgelehnt, ohne einen Grund zu nennen. Es wurde vielleicht widerrufen, durch eine Abmeldung oder Passwortänderung ungültig, ist beschädigt oder stammt von einem anderen Anbieter.",
            &[
                "Melden Sie sich erneut an, um ein neues Token zu erhalten, und führen Sie den Test dann erneut aus.",
                "Fragen Sie Ihren Administrator, ob Ihre Organisation die App zulässt, mit der Sie sich angemeldet haben.",
                "Prüfen Sie, ob Datum und Uhrzeit Ihres Computers stimmen.",
            ],
        ),
        SmtpAuthDisabled => (
            "SMTP-Anmeldung ist deaktiviert",
            "Das Token ist in Ordnung, aber authentifiziertes SMTP (Senden mit Anmeldung) ist für dieses Postfach oder die ganze Organisation abgeschaltet. Solange das so ist, hilft auch OAuth nicht.",
            &[
                "Bitten Sie Ihren Administrator, authentifiziertes SMTP für dieses Postfach oder die Organisation zu aktivieren.",
                "Microsoft 365: Der Administrator öffnet im Admin Center den Benutzer, dann E-Mail → E-Mail-Apps verwalten, und aktiviert „Authentifiziertes SMTP“ – oder er aktiviert es für den ganzen Mandanten.",
            ],
        ),
        MailboxListFailed => (
            "Ordner konnten nicht aufgelistet werden",
            "Die Anmeldung hat funktioniert, aber der Server hat sich geweigert, die Ordner des Postfachs aufzulisten.",
            &[
                "Senden Sie diesen Bericht an Ihre IT-Abteilung; die Antwort des Servers ist darin enthalten.",
            ],
        ),
        InboxNotSelectable => (
            "INBOX kann nicht geöffnet werden",
            "Die Anmeldung hat funktioniert, aber der Server hat sich geweigert, die INBOX zu öffnen. Neue E-Mails können daher nicht gelesen werden.",
            &[
                "Prüfen Sie, ob das Postfach im Webmail funktioniert.",
                "Senden Sie diesen Bericht an Ihre IT-Abteilung; die Antwort des Servers ist darin enthalten.",
            ],
        ),
        MailboxUnavailable => (
            "Postfach nicht verfügbar",
            "Die Anmeldung hat funktioniert, aber der Server konnte das zugehörige Postfach nicht erreichen (möglicherweise ist es für IMAP deaktiviert oder wird gerade verschoben).",
            &[
                "Prüfen Sie, ob IMAP für dieses Postfach aktiviert ist.",
                "Versuchen Sie es später erneut; besteht das Problem weiterhin, wenden Sie sich an Ihren Administrator.",
            ],
        ),
        SenderRejected => (
            "Absenderadresse abgelehnt",
            "Der SMTP-Server lässt mit dieser Anmeldung keinen Versand von dieser Adresse zu.",
            &[
                "Senden Sie von der Adresse, die zu der Anmeldung gehört, oder bitten Sie Ihren Administrator um die Berechtigung „Senden als“.",
            ],
        ),
        RecipientRejected => (
            "Empfänger abgelehnt",
            "Der SMTP-Server hat den Testempfänger abgelehnt. Entweder darf er für diese Anmeldung keine E-Mails an diese Adresse weiterleiten (Relaying), oder die Adresse existiert nicht.",
            &[
                "Stellen Sie sicher, dass Sie sich bei SMTP angemeldet haben (ohne Authentifizierung verweigert der Server die Weiterleitung).",
                "Prüfen Sie die Adresse des Testempfängers.",
                "Erlaubt Ihre IT-Abteilung den Versand nur von bestimmten IP-Adressen aus, bitten Sie sie, die Quelladresse aus diesem Bericht freizugeben.",
            ],
        ),
        MessageRejected => (
            "Test-E-Mail abgelehnt",
            "Der SMTP-Server hat Absender und Empfänger akzeptiert, die Nachricht selbst dann aber abgelehnt.",
            &[
                "Senden Sie diesen Bericht an Ihre IT-Abteilung; die Antwort des Servers nennt den Grund.",
            ],
        ),
        SendingLimitReached => (
            "Versandlimit erreicht",
            "Das Konto hat sein Versandlimit vorerst ausgeschöpft.",
            &[
                "Warten Sie, bis das Limit zurückgesetzt wird (oft nach 24 Stunden), oder bitten Sie Ihren Anbieter, es zu erhöhen.",
            ],
        ),
        TestMessageNotArriving => (
            "Test-E-Mail ist nicht angekommen",
            "Der Server hat die Test-E-Mail angenommen, sie ist aber nicht innerhalb des Zeitlimits in der INBOX eingegangen.",
            &[
                "Prüfen Sie den Spam-Ordner und die Filter auf dem Server.",
                "Vielleicht dauert die Zustellung nur länger; führen Sie den Test erneut aus.",
                "Kommt sie gar nicht an, bitten Sie Ihre IT-Abteilung, in den Mail-Logs nach der Message-ID aus diesem Bericht zu suchen.",
            ],
        ),
        UnexpectedReply => (
            "Unerwartete Antwort",
            "Der Server hat auf eine Weise geantwortet, die zu keiner bekannten Situation passt.",
            &[
                "Senden Sie diesen Bericht an Ihre IT-Abteilung; die Antwort des Servers ist darin enthalten.",
            ],
        ),
        CertificateExpiringSoon => (
            "Zertifikat läuft bald ab",
            "Das Zertifikat des Servers läuft innerhalb von 30 Tagen ab. Danach schlagen Verbindungen fehl.",
            &[
                "Bitten Sie Ihre IT-Abteilung oder Ihren Anbieter, das Zertifikat rechtzeitig zu erneuern.",
            ],
        ),
        FewerSessionsThanTarget => (
            "Wenige gleichzeitige Verbindungen erlaubt",
            "Der Server erlaubt für dieses Konto weniger gleichzeitige Verbindungen, als ein angebundenes Produkt möglicherweise benötigt; später könnten Anmeldungen abgelehnt werden.",
            &[
                "Bitten Sie Ihre IT-Abteilung, das Limit für gleichzeitige Verbindungen pro Benutzer zu erhöhen.",
                "Schließen Sie andere E-Mail-Programme, die mit diesem Postfach verbunden sind.",
            ],
        ),
        AuthOfferedBeforeTls => (
            "Anmeldung per Passwort vor der Verschlüsselung angeboten",
            "Der Server bietet die Anmeldung per Passwort über eine unverschlüsselte Verbindung an. Ein unvorsichtiger Client würde das Passwort im Klartext senden.",
            &[
                "Bitten Sie Ihre IT-Abteilung, die Anmeldung erst nach dem Aufbau von TLS zuzulassen.",
            ],
        ),
        WeakTlsAccepted => (
            "Veraltetes TLS wird noch akzeptiert",
            "Die Verbindung nutzte ein aktuelles TLS, der Server akzeptiert aber auch die unsicheren Versionen TLS 1.0 und 1.1.",
            &[
                "Bitten Sie Ihre IT-Abteilung, TLS 1.0 und 1.1 auf dem Mailserver zu deaktivieren.",
            ],
        ),
        PlaintextSession => (
            "Unverschlüsselte Verbindung",
            "Diese Sitzung lief ohne TLS; Passwort und E-Mails werden also im Klartext übertragen.",
            &[
                "Verwenden Sie TLS (Port 993 oder 465) oder STARTTLS (Port 143 oder 587), wann immer der Server es anbietet.",
            ],
        ),
        SentFolderNotFound => (
            "Kein Gesendet-Ordner gefunden",
            "Kein Ordner ist als Ordner für gesendete E-Mails gekennzeichnet, und keiner trägt einen der üblichen Namen. Gesendete E-Mails werden daher möglicherweise nicht abgelegt.",
            &[
                "Legen Sie im Webmail einen Ordner namens „Gesendet“ an, oder wählen Sie den Gesendet-Ordner in den Einstellungen des Produkts aus.",
            ],
        ),
        CapabilityMissing => (
            "IMAP-Funktion fehlt",
            "Dem Server fehlt eine IMAP-Funktion, die die Synchronisierung effizienter macht (etwa IDLE oder UIDPLUS). Es funktioniert trotzdem, nur langsamer.",
            &[
                "Derzeit ist nichts zu tun; falls die Synchronisierung langsam ist, bitten Sie Ihre IT-Abteilung, den Mailserver zu aktualisieren.",
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
        HintKind::Alternative => "Port {port} auf {host} antwortet mit {mode}; eingegeben wurde Port {entered_port} mit {entered_mode}. Verwenden Sie diese Einstellungen.",
        HintKind::AppPassword => "{provider} akzeptiert von E-Mail-Programmen nur ein App-Passwort: Erstellen Sie eines unter {url} und geben Sie es statt Ihres Kontopassworts ein.",
        HintKind::AppPasswordNoUrl => "{provider} akzeptiert von E-Mail-Programmen nur ein App-Passwort: Erstellen Sie eines in den Sicherheitseinstellungen Ihres {provider}-Kontos und geben Sie es statt Ihres Kontopassworts ein.",
        HintKind::OauthOnly => "{provider} lehnt bei dieser Kontoart Anmeldungen mit Passwort aus E-Mail-Programmen ab. Das Produkt muss sich stattdessen per OAuth anmelden (eine Schaltfläche „Anmelden mit …“); kein Passwort wird funktionieren.",
        HintKind::ImapSwitch => "Der IMAP-Zugriff muss zuerst in den Web-Einstellungen von {provider} eingeschaltet werden: {url}",
        HintKind::M365SmtpAuth => "Bei Microsoft 365 muss ein Administrator authentifiziertes SMTP für dieses Postfach erlauben (Microsoft 365 Admin Center → Benutzer → E-Mail → E-Mail-Apps verwalten).",
        HintKind::WorkspaceAdminImap => "Bei Google Workspace entscheidet der Administrator, ob IMAP erlaubt ist: Bitten Sie ihn, es für Ihre Organisationseinheit einzuschalten.",
        HintKind::BridgeLocal => "E-Mail von {provider} wird über die Bridge-App auf Ihrem eigenen Computer abgerufen: Sie muss laufen, und das Passwort ist das von der Bridge angezeigte, nicht Ihr Kontopasswort.",
        HintKind::ModeTls => "direktem TLS",
        HintKind::ModeStarttls => "STARTTLS",
        HintKind::ModePlain => "ohne Verschlüsselung",
    }
}

pub(super) fn refusal(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::BadMessage => "Die Seite hat eine Nachricht gesendet, die das Relay nicht versteht. Laden Sie die Seite neu und versuchen Sie es noch einmal.",
        ErrorCode::UnsupportedVersion => "Diese Seite passt nicht zur Version des Relays. Laden Sie die Seite neu.",
        ErrorCode::InvalidRequest => "Eine Angabe im Formular lässt sich so nicht prüfen. Sehen Sie sich Adressen, Namen und Ports an.",
        ErrorCode::AlreadyStarted => "In diesem Fenster läuft bereits eine Prüfung.",
        ErrorCode::FrameTooLarge => "Das Formular hat mehr Daten gesendet, als das Relay annimmt.",
        ErrorCode::OriginNotAllowed => "Diese Website darf dieses Relay nicht verwenden. Der Betreiber kann sie freigeben.",
        ErrorCode::Unauthorized => "Dieses Relay ist privat und verlangt ein Zugriffstoken.",
        ErrorCode::RateLimited => "Zu viele Prüfungen von Ihrer Verbindung in kurzer Zeit. Warten Sie eine Minute und versuchen Sie es erneut.",
        ErrorCode::TooManyRuns => "Von Ihrer Verbindung laufen bereits so viele Prüfungen gleichzeitig wie erlaubt. Warten Sie, bis sie fertig sind.",
        ErrorCode::Busy => "Das Relay ist gerade ausgelastet. Versuchen Sie es gleich noch einmal.",
        ErrorCode::TooManySockets => "Von Ihrer Verbindung sind zu viele Prüffenster offen. Schließen Sie einige und versuchen Sie es erneut.",
        ErrorCode::AccountRateLimited => "Die Anmeldung an diesem Postfach wurde zuletzt zu oft abgelehnt, daher prüft das Relay es eine Weile nicht. Warten Sie, bevor Sie es erneut versuchen, und prüfen Sie inzwischen das Passwort.",
        ErrorCode::TargetRateLimited => "Anmeldungen an diesem Mailserver wurden zuletzt zu oft abgelehnt, daher prüft das Relay ihn eine Weile nicht. Versuchen Sie es später erneut.",
        ErrorCode::HostNotAllowed => "Diese Seite hat das Relay unter einem Namen erreicht, den es nicht bedient. Öffnen Sie es unter seiner üblichen Adresse.",
        ErrorCode::EgressRefused => "Das Relay darf sich mit diesem Server nicht verbinden.",
        ErrorCode::RecipientNotAllowed => "Die Test-E-Mail darf nur an das Postfach selbst gehen.",
        ErrorCode::Timeout => "Die Prüfung hat zu lange gedauert und wurde abgebrochen.",
        ErrorCode::ShuttingDown => "Das Relay startet gerade neu. Versuchen Sie es gleich noch einmal.",
        ErrorCode::Internal => "Im Relay ist ein Fehler aufgetreten. Versuchen Sie es erneut; wenn es wieder passiert, informieren Sie den Betreiber.",
    }
}

pub(super) fn finding(k: FindingKind) -> &'static str {
    match k {
        FindingKind::CapabilitiesMissing => "Der Server kündigt nicht an: {capabilities}.",
        FindingKind::Sessions => "Gleichzeitige Sitzungen zugelassen: {allowed} von {wanted}.",
        FindingKind::ExpiresIn => "Tage bis zum Ablauf des Zertifikats: {days}.",
        FindingKind::AlsoAccepts => "Der Server akzeptiert auch {version}.",
        FindingKind::OfferedInClear => "Vor der Verschlüsselung angeboten: {mechanisms}.",
    }
}

pub(super) fn label(l: Label) -> &'static str {
    match l {
        Label::Title => "Inbox Doctor",
        Label::Intro => "Findet heraus, warum Ihr Postfach keine Verbindung herstellen kann und was Sie dagegen tun können. Wir verbinden uns genau so mit Ihren Servern, wie es ein angebundenes Produkt tun würde, und zeigen jeden Schritt.",
        Label::Language => "Sprache",
        Label::Email => "E-Mail-Adresse",
        Label::Password => "Passwort",
        Label::KeepPassword => "Passwort nach der Prüfung behalten",
        Label::Username => "Benutzername",
        Label::UsernameHint => "Nur wenn er von Ihrer E-Mail-Adresse abweicht",
        Label::ImapServer => "Eingehende E-Mails (IMAP)",
        Label::SmtpServer => "Ausgehende E-Mails (SMTP)",
        Label::Host => "Servername",
        Label::Port => "Port",
        Label::Security => "Sicherheit",
        Label::SecurityAuto => "Automatisch (nach Port)",
        Label::SecurityTls => "SSL/TLS",
        Label::SecurityStarttls => "STARTTLS",
        Label::SecurityPlain => "Keine (unverschlüsselt)",
        Label::SeparateSmtp => "Andere Anmeldedaten für SMTP",
        Label::SmtpUsername => "SMTP-Benutzername",
        Label::SmtpPassword => "SMTP-Passwort",
        Label::AllowInsecure => "Unsichere Zertifikate zulassen",
        Label::AllowInsecureHint => "Trotz nicht vertrauenswürdigen Zertifikats fortfahren; es wird dennoch gemeldet",
        Label::TestRecipient => "Test-E-Mail senden an",
        Label::Roundtrip => "Warten, bis die Test-E-Mail im Posteingang ankommt",
        Label::Run => "Mein Postfach prüfen",
        Label::Running => "Wird geprüft…",
        Label::Cancel => "Abbrechen",
        Label::Prefilled => "Von Ihrer Administration für alle Postfächer dieser Domain festgelegt",
        Label::Discovered => "Mit den für Ihre Adresse gefundenen Einstellungen ausgefüllt",
        Label::LookingUp => "Suche die Einstellungen für Ihre Adresse …",
        Label::ErrEmail => "Geben Sie eine E-Mail-Adresse wie name@example.com ein.",
        Label::ErrPassword => "Geben Sie das Passwort ein.",
        Label::ErrHost => "Geben Sie den Servernamen ein.",
        Label::ErrPort => "Der Port ist eine Zahl von 1 bis 65535.",
        Label::Steps => "Schritte",
        Label::Imap => "IMAP",
        Label::Smtp => "SMTP",
        Label::Waiting => "wartet",
        Label::InProgress => "läuft",
        Label::Passed => "bestanden",
        Label::Failed => "fehlgeschlagen",
        Label::Skipped => "übersprungen",
        Label::AllGood => "Alles funktioniert: Dieses Postfach kann verbunden werden.",
        Label::ServerSaid => "Antwort des Servers",
        Label::Detail => "Details",
        Label::WhatToDo => "Was Sie tun können",
        Label::Warnings => "Sollte behoben werden",
        Label::TlsPanel => "Verschlüsselung und Zertifikate",
        Label::Version => "TLS-Version",
        Label::Cipher => "Verschlüsselungsverfahren",
        Label::Certificate => "Zertifikat",
        Label::Subject => "Inhaber",
        Label::Issuer => "Aussteller",
        Label::Names => "Namen",
        Label::ValidFrom => "Gültig ab",
        Label::ValidTo => "Gültig bis",
        Label::Key => "Schlüssel",
        Label::Verdict => "Bewertung",
        Label::Transcript => "Protokoll (Passwörter entfernt)",
        Label::CopyReport => "Bericht kopieren",
        Label::Copied => "Kopiert",
        Label::DownloadJson => "JSON herunterladen",
        Label::RelayError => "Die Prüfung konnte nicht ausgeführt werden",
        Label::ConnectionLost => "Die Verbindung zum Prüfdienst wurde unterbrochen.",
        Label::Cancelled => "Abgebrochen.",
        Label::NotRun => "nicht ausgeführt",
        Label::Advice => "Empfehlungen",
        Label::AdviceIntro => "Das Postfach funktioniert. Damit würde es noch besser funktionieren:",
        Label::NotHere => "Auf dieser Seite können keine Prüfungen laufen",
        Label::TechnicalDetails => "Technische Details (für die IT)",
        Label::Code => "Code",
        Label::Step => "Schritt",
        Label::BothSides => "Eingehende und ausgehende E-Mails (IMAP und SMTP)",
        Label::SameOnBoth => "Eingehende und ausgehende E-Mails scheitern aus demselben Grund.",
        Label::RetryAllowingCertificate => "Erneut prüfen und dieses Zertifikat zulassen",
        Label::RetypePassword => "Das Passwort wird nach einer Prüfung nicht aufbewahrt. Geben Sie es erneut ein und prüfen Sie noch einmal.",
        Label::TrustedTypesRefused => "Inbox Doctor kann auf dieser Seite nicht starten: Die Sicherheitsrichtlinie der Seite (Trusted Types) lässt es nicht zu. Der Betreiber der Website kann die Richtlinie \"inbox-doctor\" erlauben.",
        Label::SigninInstead => "Postfach ohne Passwort? Melden Sie sich stattdessen bei seinem Anbieter an:",
        Label::SigninWith => "Mit {provider} anmelden",
        Label::SignedIn => "Bei {provider} angemeldet. Die Prüfung meldet sich damit an; ein Passwort ist nicht nötig.",
        Label::SignOut => "Stattdessen ein Passwort verwenden",
        Label::SigninFailed => "Die Anmeldung wurde nicht abgeschlossen. Versuchen Sie es erneut.",
        Label::SigninOffer => "Dieses Postfach nimmt womöglich nur eine Anmeldung beim Anbieter an. Prüfen Sie es auf diesem Weg erneut:",
        Label::AdminOpen => "Verwaltung",
        Label::AdminTitle => "Domain-Einstellungen",
        Label::AdminIntro => "Hier gespeicherte Einstellungen füllen das Formular für jedes Postfach einer Domain vorab aus. Falsche Einstellungen trennen alle diese Postfächer, deshalb wird jede Änderung zuerst geprüft.",
        Label::AdminToken => "Admin-Token",
        Label::AdminTokenHint => "Bleibt nur auf dieser Seite, solange sie geöffnet ist – nie in ihrer Adresse.",
        Label::AdminEnter => "Öffnen",
        Label::AdminRefused => "Das Relay hat dieses Token nicht akzeptiert.",
        Label::Domain => "Domainname",
        Label::Domains => "Gespeicherte Domains",
        Label::NoDomains => "Für noch keine Domain sind Einstellungen gespeichert.",
        Label::ChangedBy => "Geändert von",
        Label::Edit => "Bearbeiten",
        Label::History => "Verlauf",
        Label::AddDomain => "Domain hinzufügen",
        Label::CheckSettings => "Prüfen",
        Label::SaveSettings => "Speichern",
        Label::SaveAnyway => "Trotzdem speichern",
        Label::SaveAnywayWarning => "Diese Einstellungen haben die Prüfung nicht bestanden. Speichern Sie sie trotzdem, erhält jedes Postfach der Domain Einstellungen, die derzeit nicht funktionieren.",
        Label::Saved => "Gespeichert.",
        Label::SavedForced => "Gespeichert, obwohl die Prüfung fehlgeschlagen ist. Der Verlauf hält das fest.",
        Label::NotSaved => "Nicht gespeichert: Die Prüfung ist fehlgeschlagen.",
        Label::AnswersAsConfigured => "Antwortet wie eingestellt",
        Label::Changes => "Änderungen",
        Label::Field => "Feld",
        Label::Before => "Vorher",
        Label::After => "Nachher",
        Label::NoChanges => "Keine Feldänderungen.",
        Label::Restore => "Diese Version wiederherstellen",
        Label::RestoreAnyway => "Trotzdem wiederherstellen",
        Label::ChangeAction => "Änderung",
        Label::StoredPast => "Gespeichert, obwohl die Prüfung Folgendes ergab",
        Label::EgressTitle => "Adressen des Relays",
        Label::EgressIntro => "Mailserver, die nur bekannte Clients annehmen, müssen diese Adressen zulassen.",
        Label::EgressNotPinned => "Das Relay verbindet sich von der Adresse aus, die sein Host gerade verwendet. Hinterlegen Sie in seiner Konfiguration feste Adressen, damit sie freigegeben werden können.",
        Label::Copy => "Kopieren",
        Label::Close => "Schließen",
        Label::UseStaticIps => "Von den festen Adressen des Relays aus verbinden",
    }
}
