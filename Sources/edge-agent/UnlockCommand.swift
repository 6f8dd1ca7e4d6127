import ArgumentParser
import EdgeAgent
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension EdgeAgentCommand {
    /// The operator's emergency unlock from a shell on the board: the running daemon does it through its local
    /// API (audited, the compartment's session stopped with reason UnlockCommand first).
    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unlock a compartment through the running daemon (written to the audit log with the reason).",
            discussion: """
                Example:
                  edge-agent unlock A3 --reason "driver lost the card, ticket 4711" --config /etc/edge-agent/site.yaml
                Exits 0 when the unlock was confirmed, 1 when it failed or the daemon could not be reached.
                """)

        @Argument(help: "The compartment's name, e.g. A3.")
        var compartment: String

        @Option(help: "Why: written to the audit log.")
        var reason: String

        @OptionGroup var site: SiteOptions

        func run() async throws {
            let configuration = try site.loadSite()
            let token: APIToken
            do {
                token = try APIToken.resolve(configuration: configuration.api, stateFolder: configuration.storage.folder)
            } catch {
                printToStandardError("edge-agent: \(error)")
                throw ExitCode.failure
            }
            let name = compartment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? compartment
            guard let url = URL(string: "http://\(configuration.api.host):\(configuration.api.port)/v1/compartments/\(name)/unlock")
            else {
                printToStandardError("edge-agent: the local API address \(configuration.api.host):\(configuration.api.port) is not usable")
                throw ExitCode.failure
            }
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.setValue("Bearer \(token.value)", forHTTPHeaderField: "Authorization")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONEncoder().encode(["reason": reason])
            request.timeoutInterval = 30
            let (data, response): (Data, URLResponse)
            do {
                (data, response) = try await URLSession.shared.data(for: request)
            } catch {
                printToStandardError("edge-agent: the daemon's local API at \(url.host ?? "?"):\(url.port ?? 0) "
                    + "did not answer (\(error.localizedDescription)); is edge-agent running with this site file?")
                throw ExitCode.failure
            }
            let body = String(decoding: data, as: UTF8.self)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200, let result = try? JSONDecoder().decode(UnlockResult.self, from: data) else {
                printToStandardError("edge-agent: unlock refused (HTTP \(status)): \(body)")
                throw ExitCode.failure
            }
            print(body)
            if result.outcome != .unlocked { throw ExitCode.failure }
        }
    }
}
