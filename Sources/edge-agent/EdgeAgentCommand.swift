import ArgumentParser
import EdgeAgent
import Foundation
import Logging

@main
struct EdgeAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-agent",
        abstract: "On-site controller for charging lockers and local EV chargers.",
        version: Daemon.version,
        subcommands: [Run.self, CheckConfig.self, Token.self, Unlock.self, Status.self, Sessions.self, Audit.self, Meters.self, ReadMeter.self, SimulateModbus.self, SimulateModem.self, SimulateDay.self, Bench.self],
        defaultSubcommand: Run.self)
}

/// Exit status for an invalid configuration (sysexits EX_CONFIG); the systemd unit does not restart on it.
let exitInvalidConfiguration: Int32 = 78

/// The options every command that reads a site file shares.
struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: "Site file (YAML). Without it, the embedded simulated site is used.")
    var config: String?

    @Option(name: .customLong("state-dir"), help: "Folder for the store and the API token (overrides storage.folder).")
    var stateDirectory: String?

    @Option(name: .customLong("central-url"), help: "Central system URL, e.g. ws://host:9000/ocpp (overrides centralSystem.url).")
    var centralURL: String?

    @Option(name: .customLong("api-listen"), help: "Local API address HOST:PORT (overrides api.listen).")
    var apiListen: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (overrides logging.level).")
    var logLevel: String?

    var overrides: ConfigurationOverrides {
        ConfigurationOverrides(
            stateDirectory: stateDirectory, centralSystemURL: centralURL, apiListen: apiListen, logLevel: logLevel)
    }

    /// Loads and validates the site, printing every problem and exiting with EX_CONFIG when it is invalid.
    func loadSite() throws -> SiteConfiguration {
        do {
            return try SiteConfigurationLoader.loadSite(path: config, overrides: overrides)
        } catch {
            printToStandardError("edge-agent: invalid configuration in \(error.source) "
                + "(\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s")):")
            for problem in error.problems {
                printToStandardError("  \(problem)")
            }
            throw ExitCode(exitInvalidConfiguration)
        }
    }
}

func printToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

extension EdgeAgentCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daemon (default). Stops cleanly on SIGTERM or SIGINT.")

        @OptionGroup var site: SiteOptions

        func run() async throws {
            let configuration = try site.loadSite()
            let level = Logger.Level(configurationName: configuration.logging.level) ?? .info
            LogSetup.bootstrap(level: level, ring: .shared)
            let logger = Logger(label: "edge-agent")
            do {
                let exit = try await Daemon(configuration: configuration, logger: logger).run()
                // A Reset or installed firmware starts the daemon again in place (Operations/ProcessRestart.swift).
                exit.carryOut(logger: logger)
            } catch let error as DaemonError {
                printToStandardError("edge-agent: \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct CheckConfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Validate a site file and report every problem at once; exits 78 when it is invalid.")

        @OptionGroup var site: SiteOptions

        func run() async throws {
            let configuration = try site.loadSite()
            let compartments = configuration.compartments.count
            let chargers = configuration.chargers.count
            print("\(site.config ?? "embedded simulated site"): valid "
                + "(station \(configuration.station.identity), \(compartments) compartment\(compartments == 1 ? "" : "s"), "
                + "\(chargers) charger\(chargers == 1 ? "" : "s"))")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the local API bearer token (operator scope), generating it on first use.")

        @OptionGroup var site: SiteOptions

        @Flag(name: .customLong("read-only"), help: "Print the read-only token instead (GET routes only).")
        var readOnly = false

        func run() async throws {
            let configuration = try site.loadSite()
            do {
                let token = readOnly
                    ? try APIToken.resolveReadOnly(configuration: configuration.api, stateFolder: configuration.storage.folder)
                    : try APIToken.resolve(configuration: configuration.api, stateFolder: configuration.storage.folder)
                print(token.value)
            } catch {
                printToStandardError("edge-agent: \(error)")
                throw ExitCode.failure
            }
        }
    }
}
