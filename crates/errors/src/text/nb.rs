//! Norwegian Bokmål texts.

use super::{CauseText, Label, Phrase};
use crate::finding::FindingKind;
use crate::hint::HintKind;
use crate::protocol::ErrorCode;
use crate::step::{SkipReason, StepId};
use crate::taxonomy::{Category, Cause};

pub(super) fn category(c: Category) -> &'static str {
    match c {
        Category::ImapSettingsIncorrect => "IMAP-innstillingene er feil",
        Category::ImapAuthenticationError => "Feil ved IMAP-autentisering",
        Category::ImapValidationError => "IMAP-valideringsfeil",
        Category::SmtpSettingsIncorrect => "SMTP-innstillingene er feil",
        Category::TestEmailFailed => "Test-e-post mislyktes",
        Category::Unauthorized => "Uautorisert",
        Category::UnauthorizedAppPasswordRequired => "Uautorisert – app-passord kreves",
        Category::UnauthorizedUntrustedCertificate => {
            "Uautorisert – SSL-sertifikatet er ikke klarert"
        }
    }
}

pub(super) fn step(s: StepId) -> &'static str {
    match s {
        StepId::Resolve => "Slå opp servernavnene",
        StepId::ImapConnect => "Koble til IMAP-serveren",
        StepId::ImapTls => "Sikre IMAP-tilkoblingen",
        StepId::ImapLogin => "Logg inn på IMAP",
        StepId::ImapValidate => "Kontroller postkassen",
        StepId::SmtpConnect => "Koble til SMTP-serveren",
        StepId::SmtpTls => "Sikre SMTP-tilkoblingen",
        StepId::SmtpLogin => "Logg inn på SMTP",
        StepId::SmtpSend => "Send en test-e-post",
        StepId::Roundtrip => "Vent på test-e-posten i innboksen",
    }
}

pub(super) fn skip(r: SkipReason) -> &'static str {
    match r {
        SkipReason::ImapFailed => "et tidligere IMAP-steg mislyktes",
        SkipReason::SmtpFailed => "et tidligere SMTP-steg mislyktes",
        SkipReason::NameNotResolved => "servernavnet ble ikke funnet",
        SkipReason::PlainRequested => "en tilkobling uten TLS ble valgt",
        SkipReason::NotRequested => "ikke bedt om",
        SkipReason::TestEmailNotSent => "testeposten ble ikke sendt",
        SkipReason::OtherRecipient => "testeposten går til en annen postboks",
    }
}

pub(super) fn phrase(p: Phrase) -> &'static str {
    match p {
        Phrase::Passed => "bestått",
        Phrase::Failed => "mislyktes",
        Phrase::Skipped => "hoppet over",
        Phrase::Warning => "Advarsel",
        Phrase::WhatToDo => "Dette kan du gjøre",
        Phrase::ServerSaid => "Svar fra serveren",
        Phrase::AllPassed => "Alt fungerer: Denne postkassen kan kobles til.",
        Phrase::Detail => "Detaljer",
    }
}

pub(super) fn cause(c: Cause) -> CauseText {
    use Cause::*;
    let (title, explanation, remediation): (&str, &str, &[&str]) = match c {
        DnsNameNotFound => (
            "Fant ikke servernavnet",
            "Servernavnet finnes ikke i DNS, så det er ingenting å koble til. Som regel skyldes det en skrivefeil eller et navn som aldri er blitt satt opp.",
            &[
                "Kontroller at servernavnet er stavet riktig (for eksempel imap.example.com, ikke imap.example.con).",
                "Finn riktig servernavn på hjelpesidene til e-postleverandøren din, eller spør IT-avdelingen.",
            ],
        ),
        DnsLookupFailed => (
            "Kunne ikke slå opp servernavnet",
            "DNS-oppslaget for servernavnet mislyktes uten et entydig svar. Navnet kan godt være riktig; det var DNS-serverne som ikke svarte som de skulle.",
            &[
                "Prøv igjen om noen minutter.",
                "Hvis feilen vedvarer, spør IT-avdelingen om DNS for domenet fungerer.",
            ],
        ),
        ConnectionRefused => (
            "Tilkoblingen ble avvist (porten er stengt)",
            "Serveren svarte, men avviste tilkoblingen på denne porten: Enten lytter ingen tjeneste der, eller så blir tilkoblingen stoppet av en brannmur.",
            &[
                "Kontroller porten. IMAP bruker vanligvis 993 (TLS) eller 143 (STARTTLS), mens SMTP bruker 465 (TLS), 587 (STARTTLS) eller 25.",
                "Kontroller at servernavnet viser til e-postserveren og ikke for eksempel til nettstedet.",
                "Hvis innstillingene er riktige, spør IT-avdelingen om e-posttjenesten kjører og kan nås utenfra.",
            ],
        ),
        NoAnswer => (
            "Ingen svar (filtrert?)",
            "Serveren svarte ikke i det hele tatt innen tidsgrensen. Mest sannsynlig forkaster en brannmur tilkoblingen i det stille, eller så er adressen feil.",
            &[
                "Kontroller servernavnet og porten.",
                "Hvis IT-avdelingen bare tillater bestemte IP-adresser, be dem om å åpne for kildeadressen som står i denne rapporten.",
                "Kontroller at ingen brannmur i ditt eget nettverk blokkerer utgående tilkoblinger til denne porten.",
            ],
        ),
        NetworkUnreachable => (
            "Nettverket kan ikke nås",
            "Fra stedet der testen ble kjørt, finnes det ingen nettverksrute til serverens adresse.",
            &[
                "Kontroller servernavnet; det kan vise til en intern eller utdatert adresse.",
                "Hvis serveren står i et internt nettverk, kjører du testen fra innsiden av det nettverket.",
            ],
        ),
        ConnectionClosed => (
            "Serveren lukket tilkoblingen",
            "Serveren lukket tilkoblingen uventet midt i kommunikasjonen.",
            &[
                "Prøv igjen; serveren kan ha holdt på å starte på nytt.",
                "Hvis det skjer igjen, sender du denne rapporten til IT-avdelingen: Loggen viser hvor serveren brøt forbindelsen.",
            ],
        ),
        ServerTimeout => (
            "Serveren sluttet å svare",
            "Tilkoblingen var åpen, men serveren svarte ikke innen tidsgrensen.",
            &[
                "Prøv igjen om noen minutter.",
                "Hvis det skjer igjen, sender du denne rapporten til IT-avdelingen.",
            ],
        ),
        TlsModeMismatch => (
            "Feil sikkerhetsmodus for denne porten",
            "Sikkerhetsinnstillingen stemmer ikke med det serveren bruker på denne porten: Den ene siden ventet en kryptert tilkobling (TLS) helt fra start, den andre en ukryptert hilsen etterfulgt av STARTTLS.",
            &[
                "Bruk TLS (SSL) for port 993 og 465, og STARTTLS for port 143 og 587.",
                "Du kan også beholde sikkerhetsinnstillingen og bytte til porten som passer til den.",
            ],
        ),
        NotImapServer => (
            "Ikke en IMAP-server",
            "Noe svarte på denne porten, men det er ikke en IMAP-server.",
            &[
                "Kontroller servernavnet og porten; IMAP bruker vanligvis 993 eller 143.",
                "Kontroller at du ikke har byttet om IMAP- og SMTP-innstillingene.",
            ],
        ),
        NotSmtpServer => (
            "Ikke en SMTP-server",
            "Noe svarte på denne porten, men det er ikke en SMTP-server.",
            &[
                "Kontroller servernavnet og porten; SMTP bruker vanligvis 465, 587 eller 25.",
                "Kontroller at du ikke har byttet om IMAP- og SMTP-innstillingene.",
            ],
        ),
        OutdatedTlsOnly => (
            "Serveren støtter bare utdatert TLS",
            "Serveren tilbyr bare SSLv3, TLS 1.0 eller TLS 1.1. Disse versjonene er usikre og blir avvist; TLS 1.2 eller nyere er påkrevd.",
            &[
                "Be IT-avdelingen eller leverandøren om å aktivere TLS 1.2 og TLS 1.3 på e-postserveren.",
                "Det finnes ingen sikker innstilling på din side som kan omgå dette.",
            ],
        ),
        TlsHandshakeFailed => (
            "Kunne ikke opprette en sikker tilkobling",
            "TLS-håndtrykket med serveren mislyktes, men ikke på grunn av sertifikatet.",
            &[
                "Kontroller sikkerhetsinnstillingen og porten.",
                "Send denne rapporten til IT-avdelingen; detaljene viser hva som gikk galt.",
            ],
        ),
        StarttlsNotOffered => (
            "Serveren tilbyr ikke STARTTLS",
            "Tilkoblingen var ukryptert, og serveren tilbyr ikke å bytte til TLS, så passordet ville blitt sendt ukryptert.",
            &[
                "Prøv heller porten for implisitt TLS (993 for IMAP, 465 for SMTP) med sikkerhet satt til TLS.",
                "Be IT-avdelingen om å aktivere STARTTLS på denne porten.",
            ],
        ),
        StarttlsRefused => (
            "Serveren avviste STARTTLS",
            "Serveren oppga at den støtter STARTTLS, men nektet å ta det i bruk.",
            &[
                "Prøv heller porten for implisitt TLS (993 for IMAP, 465 for SMTP).",
                "Send denne rapporten til IT-avdelingen; svaret fra serveren er tatt med.",
            ],
        ),
        CertificateSelfSigned => (
            "Selvsignert sertifikat",
            "Sertifikatet til serveren er signert av serveren selv og ikke av en sertifiseringsinstans, så ingen går god for at det faktisk tilhører denne serveren.",
            &[
                "Be IT-avdelingen om å installere et sertifikat fra en klarert sertifiseringsinstans.",
                "Hvis du stoler på denne serveren, kan du krysse av for «Tillat ikke-sikkert sertifikat» og koble til likevel.",
            ],
        ),
        CertificateUnknownIssuer => (
            "Sertifikat fra en ukjent utsteder",
            "Sertifikatet til serveren er signert av en utsteder som ikke er klarert, ofte en intern CA i virksomheten, eller så sender ikke serveren mellomsertifikatene.",
            &[
                "Be IT-avdelingen om å sørge for at serveren sender hele sertifikatkjeden, eller om å bruke et sertifikat fra en offentlig sertifiseringsinstans.",
                "Hvis det er organisasjonens egen CA, legger du den til som klarert CA (lokalt installert relay: --ca-file).",
                "Hvis du stoler på denne serveren, krysser du av for «Tillat ikke-sikkert sertifikat».",
            ],
        ),
        CertificateExpired => (
            "Sertifikatet er utløpt",
            "Sertifikatet til serveren har passert utløpsdatoen og er ikke lenger gyldig.",
            &[
                "Be IT-avdelingen eller leverandøren om å fornye sertifikatet.",
                "Inntil da kan du koble til med «Tillat ikke-sikkert sertifikat», på egen risiko.",
            ],
        ),
        CertificateNotYetValid => (
            "Sertifikatet er ikke gyldig ennå",
            "Sertifikatet til serveren blir først gyldig på et senere tidspunkt. Enten går klokken på serveren feil, eller så er datoene i sertifikatet feil.",
            &[
                "Be IT-avdelingen om å kontrollere datoene i sertifikatet og klokken på serveren.",
            ],
        ),
        CertificateNameMismatch => (
            "Sertifikatet gjelder et annet navn",
            "Sertifikatet er gyldig, men for et annet servernavn enn det du skrev inn.",
            &[
                "Bruk servernavnet som sertifikatet er utstedt for (det står i sertifikatdetaljene nedenfor).",
                "Eller be IT-avdelingen om å legge til dette navnet i sertifikatet.",
            ],
        ),
        CertificateInvalid => (
            "Sertifikatet ble avvist",
            "Sertifikatet til serveren er feilformatert eller består ikke verifiseringen.",
            &[
                "Be IT-avdelingen om å kontrollere sertifikatet; detaljene viser hva problemet er.",
            ],
        ),
        InvalidCredentials => (
            "Feil brukernavn eller passord",
            "Serveren godtok ikke brukernavnet eller passordet.",
            &[
                "Kontroller e-postadressen og passordet; logg inn på webmail med det samme passordet for å være sikker.",
                "Noen servere krever et annet brukernavn enn e-postadressen; spør IT-avdelingen.",
                "Hvis kontoen din bruker totrinnsbekreftelse, trenger du sannsynligvis et app-passord.",
            ],
        ),
        AppPasswordRequired => (
            "App-passord kreves",
            "Leverandøren din godtar ikke det vanlige passordet ditt i e-postprogrammer, men krever et eget app-passord.",
            &[
                "Opprett et app-passord i sikkerhetsinnstillingene for e-postkontoen din.",
                "Bruk app-passordet her i stedet for det vanlige passordet ditt.",
            ],
        ),
        BasicAuthDisabled => (
            "Innlogging med passord er slått av",
            "Serveren godtar ikke lenger brukernavn og passord for denne protokollen (grunnleggende godkjenning er deaktivert): Den forventer OAuth, eller så har en administrator slått av funksjonen.",
            &[
                "Be administratoren om å tillate godkjent SMTP eller IMAP (grunnleggende godkjenning) for denne postkassen.",
                "Microsoft 365: Administratoren aktiverer «Godkjent SMTP» for postkassen eller leieren.",
            ],
        ),
        ImapDisabled => (
            "IMAP-tilgang er slått av",
            "Kontoen eller domenet tillater ikke IMAP-tilgang, eller så er passordet feil – serveren sier ikke hvilken av delene det gjelder.",
            &[
                "Slå på IMAP-tilgang i innstillingene for e-postkontoen, eller be administratoren om å tillate det.",
                "Hvis IMAP allerede er slått på, kontrollerer du passordet.",
            ],
        ),
        WebLoginRequired => (
            "Logg inn på nettet først",
            "Leverandøren blokkerte innloggingen og ber deg først logge inn via nettstedet sitt, vanligvis etter en innlogging som så mistenkelig ut.",
            &[
                "Logg inn på webmail i en nettleser, og bekreft eventuelle sikkerhetsspørsmål.",
                "Kjør deretter denne testen på nytt.",
            ],
        ),
        AccountDisabled => (
            "Kontoen må følges opp",
            "Ifølge serveren er kontoen deaktivert eller låst, eller så må en administrator gripe inn.",
            &[
                "Kontakt e-postadministratoren eller leverandøren din.",
            ],
        ),
        TooManyConnections => (
            "For mange tilkoblinger",
            "Serveren avviste tilkoblingen fordi denne kontoen allerede har for mange samtidige tilkoblinger. Noen servere rapporterer dette som en autentiseringsfeil.",
            &[
                "Lukk andre e-postprogrammer eller koble fra enheter som er koblet til denne postkassen, eller vent noen minutter.",
                "Be IT-avdelingen om å øke grensen for samtidige tilkoblinger per bruker.",
            ],
        ),
        PlaintextLoginRefused => (
            "Innlogging over ukryptert tilkobling ble avvist",
            "Serveren godtar ikke passord over en ukryptert tilkobling.",
            &[
                "Sett sikkerheten til TLS (port 993 eller 465) eller STARTTLS (port 143 eller 587).",
            ],
        ),
        NoSupportedAuthMechanism => (
            "Innlogging med passord tilbys ikke",
            "Serveren tilbyr ingen innloggingsmetode som bruker passord (PLAIN eller LOGIN), i hvert fall ikke på denne tilkoblingen.",
            &[
                "Bruk en sikret tilkobling (TLS eller STARTTLS); mange servere tilbyr bare innlogging med passord der.",
                "Spør IT-avdelingen om serveren krever OAuth eller en annen innloggingsmetode.",
            ],
        ),
        AuthFailedUnspecified => (
            "Innloggingen ble avvist uten begrunnelse",
            "Serveren avviste innloggingen uten å oppgi hvorfor. Vanlige årsaker er feil passord, at det kreves app-passord, at innlogging med passord er slått av, eller at kildeadressen ikke er tillatt.",
            &[
                "Kontroller e-postadressen, brukernavnet og passordet.",
                "Sjekk om leverandøren krever app-passord eller har slått av innlogging med passord (grunnleggende godkjenning).",
                "Hvis IT-avdelingen bare tillater bestemte IP-adresser, be dem om å åpne for kildeadressen i denne rapporten.",
            ],
        ),
        TemporaryServerError => (
            "Midlertidig serverproblem",
            "Serveren rapporterte et midlertidig problem som ikke har noe med innstillingene dine å gjøre.",
            &[
                "Prøv igjen om noen minutter.",
                "Hvis problemet vedvarer, sender du denne rapporten til IT-avdelingen eller leverandøren.",
            ],
        ),
        OauthNotOffered => (
            "Innlogging med OAuth tilbys ikke",
            "Serveren tilbyr ingen innlogging med OAuth-token (verken XOAUTH2 eller OAUTHBEARER), i hvert fall ikke på denne tilkoblingen, så tokenet kan ikke brukes her.",
            &[
                "Kontroller at serveren og porten er leverandørens (for eksempel outlook.office365.com eller smtp.office365.com for Microsoft 365, imap.gmail.com for Gmail).",
                "Bruk en sikret tilkobling (TLS eller STARTTLS); noen servere tilbyr bare innlogging med OAuth der.",
                "Ellers kan du logge inn med passord eller app-passord hvis leverandøren tillater det, eller spørre administratoren.",
            ],
        ),
        TokenExpired => (
            "Tilgangstokenet er utløpt",
            "Tilgangstokenet er ikke lenger gyldig fordi levetiden er over. Tokener varer vanligvis omtrent én time.",
            &[
                "Logg inn på nytt for å få et nytt token, og kjør deretter testen på nytt.",
                "Hvis et produkt kobler til denne postkassen, må det fornye tokenet med oppdateringstokenet (refresh token) sitt før det utløper.",
            ],
        ),
        TokenWrongAudience => (
            "Tokenet gjelder en annen tjeneste",
            "Tilgangstokenet ble utstedt for en annen tjeneste enn e-post (for eksempel Microsoft Graph), så e-postserveren godtar det ikke.",
            &[
                "Microsoft 365: Be om tokenet med et omfang (scope) under https://outlook.office.com/, for eksempel https://outlook.office.com/IMAP.AccessAsUser.All.",
                "Gmail: Be om tokenet med omfanget https://mail.google.com/.",
                "Logg deretter inn på nytt, og kjør testen på nytt.",
            ],
        ),
        TokenScopeMissing => (
            "Tokenet mangler en tillatelse",
            "Tilgangstokenet inneholder ikke tillatelsen (omfanget, «scope») som denne protokollen trenger – for eksempel tillater det IMAP, men ikke sending med SMTP.",
            &[
                "Logg inn på nytt, og be om tillatelsen som mangler (Microsoft 365: IMAP.AccessAsUser.All for IMAP, SMTP.Send for SMTP).",
                "Hvis tillatelsen ikke tilbys, må en administrator kanskje først gi samtykke til den i appregistreringen.",
            ],
        ),
        TokenWrongUser => (
            "Tokenet tilhører en annen konto",
            "Tilgangstokenet ble utstedt for en annen konto enn postkassen du kobler til.",
            &[
                "Logg inn på nytt med postkassens egen konto; pass på at nettleseren ikke allerede er logget inn med en annen konto.",
                "For en delt postkasse må kontoen du logger inn med, ha tilgang til den; spør administratoren.",
            ],
        ),
        TokenRejected => (
            "Tokenet ble avvist",
            "Serveren avviste tilgangstokenet uten å oppgi hvorfor. Det kan være tilbakekalt, ugyldig etter en utlogging eller et passordbytte, skadet eller utstedt av en annen leverandør.",
            &[
                "Logg inn på nytt for å få et nytt token, og kjør deretter testen på nytt.",
                "Spør administratoren om organisasjonen tillater appen du logget inn med.",
                "Kontroller at datoen og klokkeslettet på datamaskinen er riktige.",
            ],
        ),
        SmtpAuthDisabled => (
            "SMTP-innlogging er slått av",
            "Tokenet er i orden, men godkjent SMTP (sending med innlogging) er slått av for denne postkassen eller hele organisasjonen. Så lenge det er av, hjelper heller ikke OAuth.",
            &[
                "Be administratoren om å slå på godkjent SMTP for denne postkassen eller organisasjonen.",
                "Microsoft 365: I administrasjonssenteret åpner administratoren brukeren, deretter E-post → Administrer e-postapper, og slår på «Godkjent SMTP» – eller slår det på for hele leieren.",
            ],
        ),
        MailboxListFailed => (
            "Kunne ikke vise mappene",
            "Innloggingen fungerte, men serveren nektet å liste opp mappene i postkassen.",
            &[
                "Send denne rapporten til IT-avdelingen; svaret fra serveren er tatt med.",
            ],
        ),
        InboxNotSelectable => (
            "Kan ikke åpne INBOX",
            "Innloggingen fungerte, men serveren nektet å åpne INBOX, så ny e-post kan ikke leses.",
            &[
                "Kontroller at postkassen fungerer i webmail.",
                "Send denne rapporten til IT-avdelingen; svaret fra serveren er tatt med.",
            ],
        ),
        MailboxUnavailable => (
            "Postkassen er ikke tilgjengelig",
            "Innloggingen fungerte, men serveren fikk ikke tilgang til postkassen bak kontoen (IMAP kan være slått av for den, eller den blir flyttet).",
            &[
                "Kontroller at IMAP er slått på for denne postkassen.",
                "Prøv igjen senere; hvis problemet vedvarer, kontakter du administratoren.",
            ],
        ),
        SenderRejected => (
            "Avsenderadressen ble avvist",
            "SMTP-serveren nektet å sende e-post fra denne adressen med denne innloggingen.",
            &[
                "Send fra adressen som hører til innloggingen, eller be administratoren om tillatelsen «Send som».",
            ],
        ),
        RecipientRejected => (
            "Mottakeren ble avvist",
            "SMTP-serveren avviste testmottakeren. Enten får ikke denne innloggingen videresende (relaye) e-post til adressen, eller så finnes ikke adressen.",
            &[
                "Kontroller at du er logget inn på SMTP (uten autentisering nekter serveren å videresende).",
                "Kontroller adressen til testmottakeren.",
                "Hvis IT-avdelingen bare lar bestemte IP-adresser sende e-post, be dem om å åpne for kildeadressen i denne rapporten.",
            ],
        ),
        MessageRejected => (
            "Test-e-posten ble avvist",
            "SMTP-serveren godtok avsender og mottaker, men avviste selve meldingen.",
            &[
                "Send denne rapporten til IT-avdelingen; svaret fra serveren forklarer hvorfor.",
            ],
        ),
        SendingLimitReached => (
            "Sendegrensen er nådd",
            "Kontoen har nådd sendegrensen sin inntil videre.",
            &[
                "Vent til grensen tilbakestilles (ofte etter 24 timer), eller be leverandøren om å øke den.",
            ],
        ),
        TestMessageNotArriving => (
            "Test-e-posten kom ikke fram",
            "Serveren godtok test-e-posten, men den dukket ikke opp i INBOX innen tidsgrensen.",
            &[
                "Sjekk søppelpostmappen og filtrene på serveren.",
                "Leveringen kan rett og slett gå tregt; kjør testen på nytt.",
                "Hvis den aldri kommer fram, ber du IT-avdelingen om å søke etter Message-ID-en fra denne rapporten i e-postloggene.",
            ],
        ),
        UnexpectedReply => (
            "Uventet svar",
            "Serveren svarte på en måte som ikke passer med noen kjent situasjon.",
            &[
                "Send denne rapporten til IT-avdelingen; svaret fra serveren er tatt med.",
            ],
        ),
        CertificateExpiringSoon => (
            "Sertifikatet utløper snart",
            "Sertifikatet til serveren utløper innen 30 dager. Når det skjer, vil tilkoblingene mislykkes.",
            &[
                "Be IT-avdelingen eller leverandøren om å fornye sertifikatet i tide.",
            ],
        ),
        FewerSessionsThanTarget => (
            "Få samtidige tilkoblinger tillatt",
            "Serveren tillater færre samtidige tilkoblinger for denne kontoen enn et tilkoblet produkt kan trenge; den kan avvise innlogginger senere.",
            &[
                "Be IT-avdelingen om å øke grensen for samtidige tilkoblinger per bruker.",
                "Lukk andre e-postprogrammer som er koblet til denne postkassen.",
            ],
        ),
        AuthOfferedBeforeTls => (
            "Innlogging med passord tilbys før kryptering",
            "Serveren tilbyr innlogging med passord på en ukryptert tilkobling. En uforsiktig klient ville sendt passordet i klartekst.",
            &[
                "Be IT-avdelingen om å tillate innlogging først etter at TLS er etablert.",
            ],
        ),
        WeakTlsAccepted => (
            "Utdatert TLS godtas fortsatt",
            "Tilkoblingen brukte moderne TLS, men serveren godtar også TLS 1.0 og 1.1, som er usikre.",
            &[
                "Be IT-avdelingen om å slå av TLS 1.0 og 1.1 på e-postserveren.",
            ],
        ),
        PlaintextSession => (
            "Ukryptert tilkobling",
            "Denne økten gikk uten TLS, så passordet og e-postene sendes i klartekst.",
            &[
                "Bruk TLS (port 993 eller 465) eller STARTTLS (port 143 eller 587) når serveren tilbyr det.",
            ],
        ),
        SentFolderNotFound => (
            "Fant ingen Sendt-mappe",
            "Ingen mappe er merket som Sendt, og ingen har et vanlig navn, så sendt e-post blir kanskje ikke lagret.",
            &[
                "Opprett en mappe med navnet «Sendt» i webmail, eller velg Sendt-mappen i innstillingene til produktet.",
            ],
        ),
        CapabilityMissing => (
            "IMAP-funksjon mangler",
            "Serveren mangler en IMAP-funksjon som gjør synkroniseringen effektiv (for eksempel IDLE eller UIDPLUS). Det fungerer, men går tregere.",
            &[
                "Du trenger ikke gjøre noe nå; hvis synkroniseringen går tregt, ber du IT-avdelingen om å oppdatere e-postserveren.",
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
        HintKind::Alternative => "Port {port} på {host} svarer med {mode}; du skrev inn port {entered_port} med {entered_mode}. Bruk disse innstillingene.",
        HintKind::AppPassword => "{provider} godtar bare et app-passord fra e-postprogrammer: lag et på {url} og skriv det inn i stedet for kontopassordet ditt.",
        HintKind::AppPasswordNoUrl => "{provider} godtar bare et app-passord fra e-postprogrammer: lag et i sikkerhetsinnstillingene for {provider}-kontoen din og skriv det inn i stedet for kontopassordet ditt.",
        HintKind::OauthOnly => "{provider} avviser innlogging med passord fra e-postprogrammer for denne kontotypen. Produktet må logge inn med OAuth (en «Logg inn med …»-knapp) i stedet; ingen passord vil virke.",
        HintKind::ImapSwitch => "IMAP-tilgang må først slås på i nettinnstillingene hos {provider}: {url}",
        HintKind::M365SmtpAuth => "I Microsoft 365 må en administrator tillate autentisert SMTP for denne postkassen (Microsoft 365 administrasjonssenter → brukeren → E-post → Administrer e-postapper).",
        HintKind::WorkspaceAdminImap => "I Google Workspace bestemmer administratoren om IMAP er tillatt: be dem slå det på for organisasjonsenheten din.",
        HintKind::BridgeLocal => "E-post fra {provider} hentes gjennom Bridge-appen på din egen datamaskin: den må kjøre, og passordet er det Bridge viser, ikke kontopassordet ditt.",
        HintKind::ModeTls => "direkte TLS",
        HintKind::ModeStarttls => "STARTTLS",
        HintKind::ModePlain => "uten kryptering",
    }
}

pub(super) fn refusal(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::BadMessage => "Siden sendte en melding reléet ikke forstår. Last inn siden på nytt og prøv igjen.",
        ErrorCode::UnsupportedVersion => "Denne siden passer ikke til versjonen av reléet. Last inn siden på nytt.",
        ErrorCode::InvalidRequest => "Noe i skjemaet kan ikke sjekkes slik det står. Se over adresser, navn og porter.",
        ErrorCode::AlreadyStarted => "En sjekk kjører allerede i dette vinduet.",
        ErrorCode::FrameTooLarge => "Skjemaet sendte mer data enn reléet tar imot.",
        ErrorCode::OriginNotAllowed => "Dette nettstedet har ikke lov til å bruke dette reléet. Den som driver det, kan tillate det.",
        ErrorCode::Unauthorized => "Dette reléet er privat og krever et tilgangstoken.",
        ErrorCode::RateLimited => "For mange sjekker fra tilkoblingen din på kort tid. Vent et minutt og prøv igjen.",
        ErrorCode::TooManyRuns => "Tilkoblingen din kjører allerede så mange sjekker samtidig som den får lov til. Vent til de er ferdige.",
        ErrorCode::Busy => "Reléet er opptatt akkurat nå. Prøv igjen om et øyeblikk.",
        ErrorCode::TooManySockets => "Tilkoblingen din har for mange sjekkvinduer åpne. Lukk noen og prøv igjen.",
        ErrorCode::AccountRateLimited => "Innloggingen til denne postkassen er avvist for ofte i det siste, så reléet tar en pause i sjekkene av den. Vent før du prøver igjen, og kontroller passordet i mellomtiden.",
        ErrorCode::TargetRateLimited => "Innlogginger til denne e-postserveren er avvist for ofte i det siste, så reléet tar en pause i sjekkene av den. Prøv igjen senere.",
        ErrorCode::HostNotAllowed => "Denne siden nådde reléet under et navn det ikke betjener. Åpne det på den vanlige adressen.",
        ErrorCode::EgressRefused => "Reléet har ikke lov til å koble til denne serveren.",
        ErrorCode::RecipientNotAllowed => "Test-e-posten kan bare sendes til selve postkassen.",
        ErrorCode::Timeout => "Sjekken tok for lang tid og ble stoppet.",
        ErrorCode::ShuttingDown => "Reléet starter på nytt. Prøv igjen om et øyeblikk.",
        ErrorCode::Internal => "Reléet fikk et problem hos seg selv. Prøv igjen; skjer det igjen, si fra til den som driver det.",
    }
}

pub(super) fn finding(k: FindingKind) -> &'static str {
    match k {
        FindingKind::CapabilitiesMissing => "Serveren oppgir ikke: {capabilities}.",
        FindingKind::Sessions => "Samtidige økter tillatt: {allowed} av {wanted}.",
        FindingKind::ExpiresIn => "Dager til sertifikatet utløper: {days}.",
        FindingKind::AlsoAccepts => "Serveren godtar også {version}.",
        FindingKind::OfferedInClear => "Tilbudt før kryptering: {mechanisms}.",
    }
}

pub(super) fn label(l: Label) -> &'static str {
    match l {
        Label::Title => "Inbox Doctor",
        Label::Intro => "Finner ut hvorfor e-postkassen din ikke kan kobles til, og hva du kan gjøre med det. Vi kobler til serverne dine nøyaktig slik et tilkoblet produkt ville gjort, og viser hvert trinn.",
        Label::Language => "Språk",
        Label::Email => "E-postadresse",
        Label::Password => "Passord",
        Label::KeepPassword => "Behold passordet etter kontrollen",
        Label::Username => "Brukernavn",
        Label::UsernameHint => "Bare hvis det ikke er e-postadressen din",
        Label::ImapServer => "Innkommende e-post (IMAP)",
        Label::SmtpServer => "Utgående e-post (SMTP)",
        Label::Host => "Servernavn",
        Label::Port => "Port",
        Label::Security => "Sikkerhet",
        Label::SecurityAuto => "Automatisk (etter port)",
        Label::SecurityTls => "SSL/TLS",
        Label::SecurityStarttls => "STARTTLS",
        Label::SecurityPlain => "Ingen (ukryptert)",
        Label::SeparateSmtp => "Egen pålogging for SMTP",
        Label::SmtpUsername => "SMTP-brukernavn",
        Label::SmtpPassword => "SMTP-passord",
        Label::AllowInsecure => "Tillat ikke-sikkert sertifikat",
        Label::AllowInsecureHint => "Fortsett forbi et sertifikat som ikke er klarert; det blir likevel rapportert",
        Label::TestRecipient => "Send testmeldingen til",
        Label::Roundtrip => "Vent til test-e-posten kommer fram i innboksen",
        Label::Run => "Sjekk e-postkassen min",
        Label::Running => "Sjekker…",
        Label::Cancel => "Stopp",
        Label::Prefilled => "Angitt av administratoren din for alle postkasser på dette domenet",
        Label::Discovered => "Fylt ut med innstillingene som ble funnet for adressen din",
        Label::LookingUp => "Slår opp innstillingene for adressen din …",
        Label::ErrEmail => "Skriv inn en e-postadresse som navn@example.com.",
        Label::ErrPassword => "Skriv inn passordet.",
        Label::ErrHost => "Skriv inn servernavnet.",
        Label::ErrPort => "Porten er et tall fra 1 til 65535.",
        Label::Steps => "Trinn",
        Label::Imap => "IMAP",
        Label::Smtp => "SMTP",
        Label::Waiting => "venter",
        Label::InProgress => "pågår",
        Label::Passed => "bestått",
        Label::Failed => "mislyktes",
        Label::Skipped => "hoppet over",
        Label::AllGood => "Alt fungerer: denne e-postkassen kan kobles til.",
        Label::ServerSaid => "Serveren svarte",
        Label::Detail => "Detaljer",
        Label::WhatToDo => "Hva du kan gjøre",
        Label::Warnings => "Verdt å rette opp",
        Label::TlsPanel => "Kryptering og sertifikater",
        Label::Version => "Versjon",
        Label::Cipher => "Chiffer",
        Label::Certificate => "Sertifikat",
        Label::Subject => "Innehaver",
        Label::Issuer => "Utsteder",
        Label::Names => "Navn",
        Label::ValidFrom => "Gyldig fra",
        Label::ValidTo => "Gyldig til",
        Label::Key => "Nøkkel",
        Label::Verdict => "Vurdering",
        Label::Transcript => "Logg (passord fjernet)",
        Label::CopyReport => "Kopier rapport",
        Label::Copied => "Kopiert",
        Label::DownloadJson => "Last ned JSON",
        Label::RelayError => "Kontrollen kunne ikke kjøres",
        Label::ConnectionLost => "Forbindelsen til kontrolltjenesten ble brutt.",
        Label::Cancelled => "Stoppet.",
        Label::NotRun => "ikke kjørt",
        Label::Advice => "Forslag",
        Label::AdviceIntro => "E-postkassen fungerer. Dette ville fått den til å fungere enda bedre:",
        Label::NotHere => "Kontroller kan ikke kjøres på denne siden",
        Label::TechnicalDetails => "Tekniske detaljer (for IT)",
        Label::Code => "Kode",
        Label::Step => "Trinn",
        Label::BothSides => "Innkommende og utgående e-post (IMAP og SMTP)",
        Label::SameOnBoth => "Innkommende og utgående e-post feiler av samme grunn.",
        Label::RetryAllowingCertificate => "Sjekk på nytt og godta dette sertifikatet",
        Label::RetypePassword => "Passordet blir ikke tatt vare på etter en kontroll. Skriv det inn på nytt, og sjekk igjen.",
        Label::TrustedTypesRefused => "Inbox Doctor kan ikke starte på denne siden: sidens sikkerhetsregler (Trusted Types) tillater det ikke. Den som driver nettstedet, kan tillate regelen \"inbox-doctor\".",
        Label::SigninInstead => "Postkasse uten passord? Logg inn hos leverandøren i stedet:",
        Label::SigninWith => "Logg inn med {provider}",
        Label::SignedIn => "Logget inn med {provider}. Kontrollen logger inn med denne innloggingen; passord trengs ikke.",
        Label::SignOut => "Bruk passord i stedet",
        Label::SigninFailed => "Innloggingen ble ikke fullført. Prøv igjen.",
        Label::SigninOffer => "Denne postkassen godtar kanskje bare innlogging hos leverandøren. Sjekk igjen på den måten:",
        Label::AdminOpen => "Administrasjon",
        Label::AdminTitle => "Domeneinnstillinger",
        Label::AdminIntro => "Innstillinger som lagres her, fyller ut skjemaet på forhånd for alle postkasser på et domene. Feil innstillinger kobler dem alle fra, så hver endring blir kontrollert først.",
        Label::AdminToken => "Administratortoken",
        Label::AdminTokenHint => "Beholdes bare på denne siden mens den er åpen, aldri i adressen.",
        Label::AdminEnter => "Åpne",
        Label::AdminRefused => "Reléet godtok ikke dette tokenet.",
        Label::Domain => "Domene",
        Label::Domains => "Lagrede domener",
        Label::NoDomains => "Ingen domener har lagrede innstillinger ennå.",
        Label::ChangedBy => "Endret av",
        Label::Edit => "Rediger",
        Label::History => "Historikk",
        Label::AddDomain => "Legg til et domene",
        Label::CheckSettings => "Sjekk",
        Label::SaveSettings => "Lagre",
        Label::SaveAnyway => "Lagre likevel",
        Label::SaveAnywayWarning => "Disse innstillingene besto ikke kontrollen. Lagrer du dem likevel, får alle postkasser på domenet innstillinger som ikke fungerer nå.",
        Label::Saved => "Lagret.",
        Label::SavedForced => "Lagret selv om kontrollen mislyktes. Historikken registrerer det.",
        Label::NotSaved => "Ikke lagret: kontrollen mislyktes.",
        Label::AnswersAsConfigured => "Svarer som angitt",
        Label::Changes => "Endringer",
        Label::Field => "Felt",
        Label::Before => "Før",
        Label::After => "Etter",
        Label::NoChanges => "Ingen endringer i feltene.",
        Label::Restore => "Gjenopprett denne versjonen",
        Label::RestoreAnyway => "Gjenopprett likevel",
        Label::ChangeAction => "Endring",
        Label::StoredPast => "Lagret selv om kontrollen fant",
        Label::EgressTitle => "Reléets adresser",
        Label::EgressIntro => "E-postservere som bare godtar kjente klienter, må tillate disse adressene.",
        Label::EgressNotPinned => "Reléet kobler til fra den adressen verten bruker til enhver tid. Angi faste adresser i konfigurasjonen for å kunne åpne for dem.",
        Label::Copy => "Kopier",
        Label::Close => "Lukk",
        Label::UseStaticIps => "Koble til fra reléets faste adresser",
    }
}
