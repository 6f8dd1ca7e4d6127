import ArgumentParser
import EdgeAgent
import Foundation

extension SessionExportFormat: ExpressibleByArgument {}

/// The session filters of `edge-agent sessions` and `edge-agent sessions export` (GET /v1/sessions).
struct SessionFilterOptions: ParsableArguments {
    @Option(help: "Sessions that started at or after this time (ISO 8601, e.g. 2026-11-23T00:00:00Z or 2026-11-23).")
    var from: String?
    @Option(help: "Sessions that started before this time (ISO 8601).") var to: String?
    @Option(help: "Only this compartment's sessions.") var compartment: String?
    @Option(name: .customLong("id-tag"), help: "Only the sessions of this card (idTag).") var idTag: String?

    /// `&from=...&to=...` for the API path, percent-encoded.
    var queryItems: String {
        [("from", from), ("to", to), ("compartment", compartment), ("idTag", idTag)]
            .compactMap { name, value in value.map { "&\(name)=\(Self.encode($0))" } }
            .joined()
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

/// Fetches an export from the running daemon and writes it to standard output or a file.
func writeSessionExport(
    site: SiteOptions, format: SessionExportFormat, filters: SessionFilterOptions, output: String?
) async throws {
    let client = try LocalAPIClient.forSite(try site.loadSite(), scope: .readOnly)
    let data: Data
    do {
        data = try await client.send("GET", "/v1/sessions/export?format=\(format.rawValue)" + filters.queryItems)
    } catch {
        throw error.exit()
    }
    guard let output else {
        FileHandle.standardOutput.write(data)
        return
    }
    do {
        try data.write(to: URL(fileURLWithPath: output), options: .atomic)
    } catch {
        printToStandardError("edge-agent: cannot write \(output): \(error.localizedDescription); check the folder exists and is writable")
        throw ExitCode.failure
    }
}

extension EdgeAgentCommand.Sessions {
    func run() async throws {
        if let export {
            try await writeSessionExport(site: site, format: export, filters: filters, output: nil)
            return
        }
        let client = try LocalAPIClient.forSite(try site.loadSite(), scope: .readOnly)
        do {
            let (answer, data) = try await client.get(path, as: Answer.self)
            print(json ? String(decoding: data, as: UTF8.self) : render(answer))
        } catch {
            throw error.exit()
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the running daemon's sessions as CSV or XML, oldest first (GET /v1/sessions/export).")
        @OptionGroup var site: SiteOptions
        @Option(help: "csv (RFC 4180, with a header row) or xml.") var format: SessionExportFormat = .csv
        @OptionGroup var filters: SessionFilterOptions
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func run() async throws {
            try await writeSessionExport(site: site, format: format, filters: filters, output: output)
        }
    }
}
