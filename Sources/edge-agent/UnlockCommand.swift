import ArgumentParser
import EdgeAgent
import Foundation

extension EdgeAgentCommand {
    /// The operator's emergency unlock from a shell on the board: the running daemon does it through its local
    /// API (audited, the compartment's session stopped with reason UnlockCommand first).
    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unlock a compartment through the running daemon (written to the audit log with the reason).",
            discussion: """
                Example:
                  edge-agent unlock A3 --reason "driver lost the card, ticket 4711" --config /etc/edge-agent/site.yaml
                Prints what happened (the API's JSON with --json). Exits 0 when the unlock was confirmed, 1 when it
                failed or the daemon could not be reached.
                """)

        @Argument(help: "The compartment's name, e.g. A3.")
        var compartment: String

        @Option(help: "Why: written to the audit log.")
        var reason: String

        @OptionGroup var site: SiteOptions

        @Flag(help: "Print the API's JSON answer instead of a sentence.")
        var json = false

        func run() async throws {
            let configuration = try site.loadSite()
            let client = try LocalAPIClient.forSite(configuration, scope: .operator)
            let name = compartment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? compartment
            let data: Data
            do {
                data = try await client.send("POST", "/v1/compartments/\(name)/unlock", json: ["reason": reason])
            } catch {
                throw error.exit()
            }
            let body = String(decoding: data, as: UTF8.self)
            guard let result = try? JSONDecoder().decode(UnlockResult.self, from: data) else {
                printToStandardError("edge-agent: the daemon's answer to the unlock was not understood: \(body)")
                throw ExitCode.failure
            }
            print(json ? body : Self.sentence(result))
            if result.outcome != .unlocked { throw ExitCode.failure }
        }

        static func sentence(_ result: UnlockResult) -> String {
            let audit = result.auditRecordId.map { ", audit record \($0)" } ?? ""
            switch result.outcome {
            case .unlocked:
                return "\(result.compartment) unlocked (confirmed by \(result.confirmedBy ?? "-"); door \(result.door))\(audit)"
            case .unlockFailed:
                return "\(result.compartment): the unlock was NOT confirmed after every retry; the lock is reported "
                    + "jammed (door \(result.door), lock \(result.lock))\(audit)"
            }
        }
    }
}
