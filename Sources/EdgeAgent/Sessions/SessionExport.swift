import Foundation

/// Stored sessions written out for accounting and reconciliation (`GET /v1/sessions/export`,
/// `edge-agent sessions export`): CSV (RFC 4180) or XML. Pure: records and a time in, text out.
public enum SessionExportFormat: String, Sendable, CaseIterable {
    case csv
    case xml

    public var contentType: String {
        switch self {
        case .csv: "text/csv; charset=utf-8; header=present"
        case .xml: "application/xml; charset=utf-8"
        }
    }
}

/// One exported session: every field as text, empty when the session does not have it.
public struct SessionExportRow: Sendable, Equatable {
    /// Column names in order (the CSV header, the XML element names).
    public static let columns = [
        "sessionId", "compartment", "connectorId", "localTransactionId", "transactionId", "idTag", "authorizationMethod",
        "authorizationSource", "state", "authorizedAt", "occupiedSince", "chargingStartedAt", "stoppedAt",
        "occupiedSeconds", "chargingSeconds", "meterStartWh", "meterStopWh", "energyWh", "averagePowerWatts", "amount",
        "currency", "tariff", "stopReason",
    ]

    public var values: [String]

    /// The owner's idTag is masked as in `GET /v1/sessions` (a read-only token sees the export too).
    public init(_ record: SessionRecord, now: Date) {
        func time(_ date: Date?) -> String { date.map { $0.formatted(.iso8601) } ?? "" }
        func number(_ value: Double?, decimals: Int) -> String {
            guard let value, value.isFinite else { return "" }
            return String(format: "%.\(decimals)f", value)
        }
        let summary = SessionSummary(record, now: now)
        values = [
            record.id, record.compartment, String(record.connectorId), record.localTransactionId ?? "",
            record.centralTransactionId.map(String.init) ?? "", summary.idTag, record.authorizationMethod.rawValue,
            record.authorizationSource, record.state.rawValue, time(record.authorizedAt), time(record.occupiedSince),
            time(record.chargingStartedAt), time(record.stoppedAt), number(summary.occupiedSeconds, decimals: 0),
            number(record.chargingSeconds, decimals: 0), record.meterStartWh.map(String.init) ?? "",
            record.meterStopWh.map(String.init) ?? "", number(record.energyWh, decimals: 0),
            number(record.averagePowerWatts, decimals: 1), record.amount.map(Self.cents) ?? "", record.currency ?? "",
            record.tariffName ?? "", record.stopReason?.rawValue ?? "",
        ]
    }

    /// `4.80`: two decimals, a point, no grouping.
    static func cents(_ amount: Decimal) -> String {
        String(Tariff.format(amount, currency: "", .english).dropLast())
    }
}

public enum SessionExport {
    /// RFC 4180: a header row, CRLF line ends, a field quoted when it holds a comma, a quote, CR or LF, quotes
    /// doubled. No sessions: the header row alone.
    public static func csv(_ rows: [SessionExportRow]) -> String {
        ([SessionExportRow.columns] + rows.map(\.values))
            .map { $0.map(csvField).joined(separator: ",") + "\r\n" }
            .joined()
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `<sessions station=".." from=".." to=".." count="n"><session>...</session></sessions>`, one element per
    /// field; a field the session does not have is left out.
    public static func xml(_ rows: [SessionExportRow], station: String, from: Date?, to: Date?) -> String {
        var attributes = " station=\"\(escape(station))\""
        if let from { attributes += " from=\"\(from.formatted(.iso8601))\"" }
        if let to { attributes += " to=\"\(to.formatted(.iso8601))\"" }
        attributes += " count=\"\(rows.count)\""
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sessions\(attributes)>\n"
        for row in rows {
            text += "  <session>\n"
            for (name, value) in zip(SessionExportRow.columns, row.values) where !value.isEmpty {
                text += "    <\(name)>\(escape(value))</\(name)>\n"
            }
            text += "  </session>\n"
        }
        return text + "</sessions>\n"
    }

    /// Escapes the five XML specials; characters XML 1.0 cannot hold at all become U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
