import ArgumentParser
import EdgeAgent
import Foundation
import Logging

extension EdgeAgentCommand {
    /// The simulated GSM modem on a pseudo-terminal, without the daemon.
    struct SimulateModem: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate-modem",
            abstract: "Run the simulated GSM modem (AT commands) on one end of a pseudo-terminal pair.",
            discussion: """
                Make a pair with socat, run the modem on one end and point the site's modem transport at the other:
                  socat pty,raw,echo=0,link=/tmp/modem pty,raw,echo=0,link=/tmp/ttyGSM &
                  edge-agent simulate-modem --link /tmp/modem
                  # site file: sms: {transports: [{kind: modem, device: /tmp/ttyGSM}]}
                Type a phone's text on standard input as '+491701234567: A3'; every text the modem sends is printed
                as one JSON line (to, text, parts, alphabet, at).
                """)

        @Option(help: "The pseudo-terminal end the modem serves (a socat link).")
        var link: String

        @Option(name: .customLong("sim-pin"), help: "Ask for this SIM PIN before the modem answers SMS commands.")
        var simPIN: String?

        func run() async throws {
            LogSetup.bootstrap(level: .warning)
            do {
                try await SimulatedModemConsole.run(link: link, simPIN: simPIN, logger: Logger(label: "edge-agent.simulate-modem"))
            } catch {
                printToStandardError("edge-agent simulate-modem: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
