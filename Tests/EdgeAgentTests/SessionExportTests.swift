import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import EdgeAgent

@Suite("Session export: CSV and XML writers")
struct SessionExportTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z

    static func record(id: String = "s1", compartment: String = "A1", idTag: String = "04A2B3C4") -> SessionRecord {
        var record = SessionRecord(
            id: id, connectorId: 1, compartment: compartment, idTag: idTag, parentIdTag: nil, authorizationMethod: .rfid,
            authorizationSource: "localList", authorizedAt: start, occupiedSince: start - 60)
        record.state = .closed
        record.chargingStartedAt = start + 2
        record.stoppedAt = start + 3602
        record.meterStartWh = 12_040
        record.meterStopWh = 12_515
        record.chargingSeconds = 3600
        record.localTransactionId = "tx-1"
        record.centralTransactionId = 1001
        record.amount = Decimal(string: "2.8")!
        record.currency = "EUR"
        record.tariffName = "standard"
        record.stopReason = .local
        return record
    }

    @Test func csvHasAHeaderRowAndOneRowPerSessionWithCRLF() throws {
        let text = SessionExport.csv([SessionExportRow(Self.record(), now: Self.start)])
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.count == 3 && lines[2].isEmpty)  // header, one row, the final CRLF
        #expect(lines[0] == SessionExportRow.columns.joined(separator: ","))
        let fields = lines[1].components(separatedBy: ",")
        let row = Dictionary(uniqueKeysWithValues: zip(SessionExportRow.columns, fields))
        #expect(row["sessionId"] == "s1" && row["transactionId"] == "1001" && row["idTag"] == "****B3C4")
        #expect(row["authorizedAt"] == "2027-01-15T08:00:00Z" && row["stoppedAt"] == "2027-01-15T09:00:02Z")
        #expect(row["meterStartWh"] == "12040" && row["meterStopWh"] == "12515" && row["energyWh"] == "475")
        #expect(row["occupiedSeconds"] == "3662" && row["chargingSeconds"] == "3600" && row["averagePowerWatts"] == "475.0")
        #expect(row["amount"] == "2.80" && row["currency"] == "EUR" && row["tariff"] == "standard" && row["stopReason"] == "Local")
    }

    @Test func csvQuotesCommasQuotesAndLineBreaksAsRFC4180Says() {
        #expect(SessionExport.csvField("plain") == "plain")
        #expect(SessionExport.csvField("a,b") == "\"a,b\"")
        #expect(SessionExport.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(SessionExport.csvField("two\nlines") == "\"two\nlines\"")
        #expect(SessionExport.csvField("cr\r\nlf") == "\"cr\r\nlf\"")
        #expect(SessionExport.csvField("") == "")
        let text = SessionExport.csv([SessionExportRow(Self.record(compartment: "Hall \"B\", left"), now: Self.start)])
        #expect(text.contains(",\"Hall \"\"B\"\", left\","))
    }

    @Test func anEmptyExportIsTheHeaderAlone() {
        #expect(SessionExport.csv([]) == SessionExportRow.columns.joined(separator: ",") + "\r\n")
        let xml = SessionExport.xml([], station: "SIM", from: nil, to: nil)
        #expect(xml == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sessions station=\"SIM\" count=\"0\">\n</sessions>\n")
    }

    @Test func xmlIsWellFormedWithEscapedValuesAndOnlyTheFieldsASessionHas() throws {
        var open = Self.record(id: "s2", compartment: "<A&B>")
        open.state = .charging
        open.stoppedAt = nil
        open.meterStopWh = nil
        open.amount = nil
        open.currency = nil
        let rows = [SessionExportRow(Self.record(), now: Self.start), SessionExportRow(open, now: Self.start + 100)]
        let text = SessionExport.xml(rows, station: "Locker \"1\" & co", from: Self.start, to: Self.start + 86_400)
        #expect(text.contains("station=\"Locker &quot;1&quot; &amp; co\""))
        #expect(text.contains("from=\"2027-01-15T08:00:00Z\" to=\"2027-01-16T08:00:00Z\" count=\"2\""))
        #expect(text.contains("<compartment>&lt;A&amp;B&gt;</compartment>"))
        let document = try XMLDocument(xmlString: text)
        let sessions = try document.nodes(forXPath: "/sessions/session")
        #expect(sessions.count == 2)
        #expect(try document.nodes(forXPath: "/sessions/session[1]/amount").first?.stringValue == "2.80")
        #expect(try document.nodes(forXPath: "/sessions/session[2]/amount").isEmpty)
        #expect(try document.nodes(forXPath: "/sessions/session[2]/compartment").first?.stringValue == "<A&B>")
        #expect(try document.nodes(forXPath: "/sessions/session[2]/stoppedAt").isEmpty)
    }

    @Test func charactersXMLCannotHoldAreReplaced() {
        #expect(SessionExport.escape("a\u{1}b'c") == "a\u{FFFD}b&apos;c")
        #expect(SessionExport.escape("tab\there") == "tab\there")
    }
}
