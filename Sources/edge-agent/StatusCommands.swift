import ArgumentParser
import EdgeAgent
import Foundation

/// Read-only views of the running daemon through its local API (docs/local-api.md), as readable tables or,
/// with `--json`, the API's JSON unchanged. The read-only token is enough.
protocol DaemonReadCommand: AsyncParsableCommand {
    var site: SiteOptions { get }
    var json: Bool { get }
    associatedtype Answer: Decodable
    /// The API path to GET.
    var path: String { get }
    /// The table for a person.
    func render(_ answer: Answer) -> String
}

extension DaemonReadCommand {
    func run() async throws {
        let client = try LocalAPIClient.forSite(try site.loadSite(), scope: .readOnly)
        do {
            let (answer, data) = try await client.get(path, as: Answer.self)
            print(json ? String(decoding: data, as: UTF8.self) : render(answer))
        } catch {
            throw error.exit()
        }
    }
}

extension EdgeAgentCommand {
    struct Status: DaemonReadCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the running daemon's station, uplink and every compartment and charger.")
        @OptionGroup var site: SiteOptions
        @Flag(help: "Print the API's JSON (GET /v1/status) instead of tables.") var json = false

        var path: String { "/v1/status" }

        func render(_ status: SiteStatus) -> String {
            let station = status.station
            var lines = [
                "station  \(station.identity) (\(station.vendor) \(station.model)\(station.simulated ? ", simulated" : ""))",
                "uplink   \(status.uplink.state)" + (status.uplink.centralSystemURL.map { " \($0)" } ?? "")
                    + (status.uplink.detail.map { " (\($0))" } ?? "")
                    + (status.uplink.queueDepth.map { ", \($0) queued" } ?? ""),
                "run      started \(TextTable.time(status.run.startedAt))"
                    + (status.run.previousRunEndedCleanly ? "" : ", previous run did NOT end cleanly"),
                "",
            ]
            lines.append(TextTable.render(
                headers: ["COMPARTMENT", "CONNECTOR", "STATUS", "DOOR", "LOCK", "RELAY", "FAULTS", "SESSION"],
                rows: status.compartments.map { compartment in
                    [compartment.name, "\(compartment.connectorId)", compartment.status, compartment.door, compartment.lock,
                     compartment.relay,
                     compartment.faults.isEmpty ? (compartment.fault ?? "-") : compartment.faults.joined(separator: ","),
                     compartment.session.map { "\($0.state.rawValue) \($0.idTag)" } ?? "-"]
                }))
            if !status.chargers.isEmpty {
                lines.append("")
                lines.append(TextTable.render(
                    headers: ["CHARGER", "CONNECTOR", "STATUS", "PLUG", "SETPOINT", "FAULT", "SESSION"],
                    rows: status.chargers.map { charger in
                        [charger.name ?? "-", "\(charger.connectorId)", charger.status, charger.plug ?? "-",
                         charger.currentSetpointAmps.map { "\(Int($0)) A\(charger.enabled == true ? "" : " (off)")" } ?? "-",
                         charger.fault ?? "-", charger.session.map { "\($0.state.rawValue) \($0.idTag)" } ?? "-"]
                    }))
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Sessions: DaemonReadCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the running daemon's sessions, newest first (owners' idTags masked).",
            subcommands: [Export.self])
        @OptionGroup var site: SiteOptions
        @Flag(help: "Only sessions still holding a compartment.") var active = false
        @Option(help: "At most this many sessions (1 to 1000).") var limit: Int?
        @Flag(help: "Print the API's JSON (GET /v1/sessions) instead of a table.") var json = false
        @OptionGroup var filters: SessionFilterOptions
        @Option(help: "Write the sessions as csv or xml (GET /v1/sessions/export) instead of a table.")
        var export: SessionExportFormat?

        var path: String {
            "/v1/sessions?active=\(active)" + (limit.map { "&limit=\($0)" } ?? "") + filters.queryItems
        }

        struct Answer: Decodable { var sessions: [SessionSummary] }

        func render(_ answer: Answer) -> String {
            guard !answer.sessions.isEmpty else { return active ? "no active sessions" : "no sessions" }
            return TextTable.render(
                headers: ["COMPARTMENT", "STATE", "IDTAG", "AUTHORIZED", "STOPPED", "ENERGY Wh", "AMOUNT", "STOP REASON", "ID"],
                rows: answer.sessions.map { session in
                    [session.compartment, session.state.rawValue, session.idTag, TextTable.time(session.authorizedAt),
                     session.stoppedAt.map(TextTable.time) ?? "-",
                     session.energyWh.map { String(format: "%.0f", $0) } ?? "-",
                     session.amount.map { Tariff.format($0, currency: session.currency ?? "", .english) } ?? "-",
                     session.stopReason?.rawValue ?? "-", session.id]
                })
        }
    }

    struct Audit: DaemonReadCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the running daemon's audit log, newest first: who did what, to which target, and why.")
        @OptionGroup var site: SiteOptions
        @Option(help: "At most this many records (1 to 1000).") var limit: Int?
        @Option(help: "Only records at or after this time (ISO 8601, e.g. 2026-11-23T07:00:00Z).") var since: String?
        @Option(help: "Only records of this action (unlock, clearFaults, emergency, availability, configuration, ...).")
        var action: String?
        @Flag(help: "Print the API's JSON (GET /v1/audit) instead of a table.") var json = false

        var path: String {
            let query = [("limit", limit.map(String.init)), ("since", since), ("action", action)].compactMap { name, value in
                value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["+", "&"])) ?? $0)" }
            }
            return "/v1/audit" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        }

        struct Answer: Decodable { var records: [AuditRecord] }

        func render(_ answer: Answer) -> String {
            guard !answer.records.isEmpty else { return "the audit log is empty" }
            return TextTable.render(
                headers: ["TIME", "ACTOR", "ACTION", "TARGET", "REASON"],
                rows: answer.records.map { record in
                    [TextTable.time(record.recordedAt), record.actor, record.action, record.target ?? "-", record.reason ?? "-"]
                })
        }
    }

    struct Meters: DaemonReadCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every configured meter with its latest values, their age, and whether they are stale.")
        @OptionGroup var site: SiteOptions
        @Flag(help: "Print the API's JSON (GET /v1/meters) instead of a table.") var json = false

        var path: String { "/v1/meters" }

        struct Answer: Decodable {
            var staleAfterSeconds: Double
            var meters: [MeterStatus]
        }

        func render(_ answer: Answer) -> String {
            guard !answer.meters.isEmpty else { return "the site file names no meters" }
            let table = TextTable.render(
                headers: ["DEVICE", "ROLE", "BUS", "UNIT", "AGE s", "STALE", "VALUES"],
                rows: answer.meters.map { meter in
                    let values = meter.values.map { value in
                        "\(value.name)=\(value.value.map { String(format: "%g", $0) } ?? "n/a")\(value.unit.isEmpty ? "" : " \(value.unit)")"
                    }
                    return [meter.device.name, meter.device.role.rawValue, meter.device.bus, "\(meter.device.unit)",
                            String(format: "%.1f", meter.ageSeconds), meter.stale ? "STALE" : "no",
                            values.isEmpty ? (meter.lastError ?? "-") : values.joined(separator: ", ")]
                })
            return table + "\nvalues are stale after \(String(format: "%g", answer.staleAfterSeconds)) s without a good reading"
        }
    }
}

/// Left-aligned columns wide enough for their widest cell, for terminal output.
enum TextTable {
    static func render(headers: [String], rows: [[String]]) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    /// `2026-11-23 08:10:12Z`: UTC, to the second.
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withSpaceBetweenDateAndTime, .withTime, .withColonSeparatorInTime]
        return formatter.string(from: date) + "Z"
    }
}
