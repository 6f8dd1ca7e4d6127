// Built-in texts. Kept within the GSM 7-bit alphabet (umlauts and ß are in it) and, where
// possible, within one SMS of 160 characters after rendering.
enum DefaultSMSTemplates {
    static let texts: [SMSLanguage: [SMSTemplateKey: String]] = [.de: german, .en: english]

    static let german: [SMSTemplateKey: String] = [
        .confirmation: "Fach {compartment} ist verriegelt und lädt. Preis: {price}. Ihre PIN: {pin}. Zum Beenden {compartment} erneut senden oder PIN am Tastenfeld eingeben.",
        .receipt: "Fach {compartment} ist offen. Dauer {duration}, {energy}, Betrag {amount}. Beleg {reference}. Danke!",
        .chargeComplete: "Fach {compartment}: Laden abgeschlossen ({energy} in {duration}). Zum Öffnen {compartment} senden oder PIN eingeben.",
        .status: "Fach {compartment} lädt seit {duration}: {energy}, bisher {amount}.",
        .statusIdle: "Von dieser Nummer läuft kein Ladevorgang. Zum Starten den Namen des Fachs senden, z.B. {example}.",
        .help: "Laden: Namen des Fachs senden, z.B. {example}. Beenden: Namen erneut senden oder PIN am Tastenfeld. STATUS zeigt den Stand. English: HELP",
        .notUnderstood: "Nicht verstanden. Bitte nur den Namen des Fachs von der Tür senden, z.B. {example}. HILFE für mehr.",
        .unknownCompartment: "Ein Fach {compartment} gibt es hier nicht. Bitte den Namen von der Tür senden, z.B. {example}.",
        .missingCompartment: "Welches Fach? Bitte den Namen von der Tür mitsenden, z.B. START {example}.",
        .compartmentBusy: "Fach {compartment} ist belegt. Bitte ein freies Fach wählen.",
        .outOfService: "Fach {compartment} ist außer Betrieb. Bitte ein anderes Fach wählen.",
        .authorizationRefused: "Laden in Fach {compartment} wurde nicht freigegeben. Bitte wenden Sie sich an den Betreiber.",
        .noActiveSession: "In Fach {compartment} läuft kein Ladevorgang dieser Nummer.",
        .rateLimited: "Zu viele Nachrichten. Bitte in {retry} erneut versuchen.",
        .closeDoorFirst: "Fach {compartment}: bitte zuerst den Akku einlegen und die Tür schließen, dann {compartment} senden.",
        .alertDoorForced: "[{site}] ALARM: Tür von Fach {compartment} ohne Freigabe geöffnet.",
        .alertLockJammed: "[{site}] ALARM: Schloss von Fach {compartment} klemmt.",
        .alertUplinkDown: "[{site}] Verbindung zum Zentralsystem seit {duration} unterbrochen. Betrieb läuft lokal weiter.",
        .alertModemFailure: "[{site}] GSM-Modem gestört: {detail}. SMS-Start ist nicht möglich.",
    ]

    static let english: [SMSTemplateKey: String] = [
        .confirmation: "Locker {compartment} is locked and charging. Price: {price}. Your PIN: {pin}. To finish, text {compartment} again or enter the PIN at the keypad.",
        .receipt: "Locker {compartment} is open. Time {duration}, {energy}, total {amount}. Receipt {reference}. Thank you!",
        .chargeComplete: "Locker {compartment}: charging complete ({energy} in {duration}). To open, text {compartment} or enter your PIN.",
        .status: "Locker {compartment} charging for {duration}: {energy}, {amount} so far.",
        .statusIdle: "No charging session from this number. To start, text the locker's name, e.g. {example}.",
        .help: "Charge: text the locker's name, e.g. {example}. Finish: text it again or enter your PIN at the keypad. STATUS shows progress. Deutsch: HILFE",
        .notUnderstood: "Not understood. Please text just the locker's name from its door, e.g. {example}. HELP for more.",
        .unknownCompartment: "There is no locker {compartment} here. Please text the name on the door, e.g. {example}.",
        .missingCompartment: "Which locker? Please add the name on the door, e.g. START {example}.",
        .compartmentBusy: "Locker {compartment} is in use. Please choose a free one.",
        .outOfService: "Locker {compartment} is out of service. Please choose another one.",
        .authorizationRefused: "Charging in locker {compartment} was not authorized. Please contact the operator.",
        .noActiveSession: "No charging session from this number in locker {compartment}.",
        .rateLimited: "Too many messages. Please try again in {retry}.",
        .closeDoorFirst: "Locker {compartment}: put your battery in and close the door first, then text {compartment}.",
        .alertDoorForced: "[{site}] ALARM: door of locker {compartment} opened without authorization.",
        .alertLockJammed: "[{site}] ALARM: lock of locker {compartment} is jammed.",
        .alertUplinkDown: "[{site}] Connection to the central system down for {duration}. Running locally.",
        .alertModemFailure: "[{site}] GSM modem failure: {detail}. SMS start is unavailable.",
    ]
}
