import Foundation
import Logging
import SMSAuth

/// `edge-agent simulate-modem --link PATH`: the simulated GSM modem on one end of a pseudo-terminal pair, for
/// integrators (docs/sms.md, "Simulated modem"). Lines on standard input are phones texting the site
/// (`+491701234567: A3`); every text the modem sends is printed as one JSON line on standard output.
public enum SimulatedModemConsole {
    public enum ConsoleError: Error, CustomStringConvertible {
        case modem(String)

        public var description: String {
            switch self {
            case .modem(let detail): detail
            }
        }
    }

    /// Runs until standard input closes or the task is cancelled.
    public static func run(link: String, simPIN: String?, logger: Logger) async throws {
        let modem: SimulatedModem
        do {
            modem = try SimulatedModem(serving: link, simPIN: simPIN, logger: logger)
        } catch {
            throw ConsoleError.modem("\(error)")
        }
        await modem.start()
        let lines = standardInputLines()
        let printer = Task {
            var printed = 0
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys]
            while !Task.isCancelled {
                let sent = await modem.sent()
                for message in sent.dropFirst(printed) {
                    if let data = try? encoder.encode(message) { FileHandle.standardOutput.write(data + Data("\n".utf8)) }
                }
                printed = sent.count
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        for await line in lines {
            guard let (from, text) = parse(line) else {
                FileHandle.standardError.write(Data("edge-agent simulate-modem: write a text as '+491701234567: A3'\n".utf8))
                continue
            }
            do {
                try await modem.deliver(text: text, from: from)
            } catch {
                FileHandle.standardError.write(Data("edge-agent simulate-modem: \(error)\n".utf8))
            }
        }
        try? await Task.sleep(for: .milliseconds(500))
        printer.cancel()
        await modem.stop()
    }

    /// `+491701234567: A3` -> sender and text.
    static func parse(_ line: String) -> (String, String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let from = line[..<colon].trimmingCharacters(in: .whitespaces)
        let text = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return from.isEmpty ? nil : (from, text)
    }

    private static func standardInputLines() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let thread = Thread {
            while let line = readLine() { continuation.yield(line) }
            continuation.finish()
        }
        thread.start()
        return stream
    }
}
