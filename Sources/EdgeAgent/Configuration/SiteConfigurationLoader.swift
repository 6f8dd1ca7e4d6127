import Foundation
import Yams

/// Loads a site file (or the embedded simulator site), resolves its board, applies
/// command-line overrides, and validates everything, reporting all problems at once.
public enum SiteConfigurationLoader {
    public static let embeddedSource = "embedded simulator site"

    /// Where `board: <name>` is looked for after the site file's own neighbourhood.
    public static let systemBoardFolders = ["/etc/edge-agent/boards", "/usr/share/edge-agent/boards"]

    /// nil path = embedded simulator site. Loads, applies overrides, validates; throws with ALL problems.
    public static func load(
        path: String?, overrides: ConfigurationOverrides, knownProfiles: Set<String>
    ) throws(ConfigurationError) -> SiteConfiguration {
        guard let path else {
            return try load(yaml: EmbeddedSimulatorSite.siteYAML, source: embeddedSource, baseFolder: nil,
                            overrides: overrides, knownProfiles: knownProfiles)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(source: path, problems: [ConfigurationProblem(
                path: "file", message: "cannot read \(path): \(Self.reason(error)); check the path given to --config")])
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try load(yaml: text, source: path, baseFolder: folder.isEmpty ? "." : folder,
                        overrides: overrides, knownProfiles: knownProfiles)
    }

    /// Loads a site from text. `baseFolder` is what relative paths (and `board: <name>`)
    /// resolve against; nil means the text has no folder (the embedded site).
    public static func load(
        yaml: String, source: String, baseFolder: String?, overrides: ConfigurationOverrides,
        knownProfiles: Set<String>, boardFolders: [String] = systemBoardFolders
    ) throws(ConfigurationError) -> SiteConfiguration {
        let log = ConfigurationProblemLog()
        guard let root = parse(yaml, log: log) else { throw ConfigurationError(source: source, problems: log.problems) }
        var document = SiteDocumentDecoder(log: log, baseFolder: baseFolder).decode(root)
        // An empty file or one that is not a mapping at all: nothing further would be meaningful.
        guard case .mapping? = root else { throw ConfigurationError(source: source, problems: log.problems) }
        apply(overrides, to: &document, log: log)
        let resolved = resolveBoard(document.boardReference, baseFolder: baseFolder, boardFolders: boardFolders, log: log)
        let board = resolved ?? BoardDescriptor(
            name: document.boardReference ?? "", isSimulated: false, lines: [], serialPorts: [], buses: [])
        let (site, busPaths) = SiteAssembler(log: log, board: board, boardIsKnown: resolved != nil).assemble(document)
        SiteValidator(log: log, knownProfiles: knownProfiles).validate(site, busPaths: busPaths)
        guard log.problems.isEmpty else { throw ConfigurationError(source: source, problems: log.problems) }
        return site
    }

    /// Parses YAML; a syntax error becomes a problem with its line and column. Returns nil
    /// when the text cannot be parsed at all (nothing else can be checked then).
    static func parse(_ yaml: String, log: ConfigurationProblemLog, path: String = "yaml") -> Node?? {
        do {
            return .some(try Yams.compose(yaml: yaml))
        } catch let error as YamlError {
            switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
                 let .composer(context, problem, mark, _):
                let where_ = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
                log.report(path, "YAML syntax error at line \(mark.line), column \(mark.column): \(problem)\(where_); check indentation and quoting there", line: mark.line)
            default:
                log.report(path, "YAML error: \(error)")
            }
        } catch {
            log.report(path, "YAML error: \(error)")
        }
        return nil
    }

    static func apply(_ overrides: ConfigurationOverrides, to document: inout SiteDocument, log: ConfigurationProblemLog) {
        if let folder = overrides.stateDirectory { document.storageFolder = folder }
        if let url = overrides.centralSystemURL {
            if document.centralSystem == nil {
                document.centralSystem = CentralSystemConfiguration(url: url)
            } else {
                document.centralSystem?.url = url
            }
        }
        if let listen = overrides.apiListen {
            if let (host, port) = APIListenAddress.parse(listen) {
                document.api.host = host
                document.api.port = port
            } else {
                log.report("api.listen", "(from --api-listen) \(APIListenAddress.problem(listen))")
            }
        }
        if let level = overrides.logLevel { document.logging.level = level }
    }

    /// `board: simulator` (a name) or `board: ../boards/x/board.yaml` (a path).
    /// nil when the board cannot be loaded (the problem is reported).
    static func resolveBoard(_ reference: String?, baseFolder: String?, boardFolders: [String], log: ConfigurationProblemLog) -> BoardDescriptor? {
        guard let reference, !reference.isEmpty else { return nil }
        guard let baseFolder else {
            // Text without a folder (the embedded site) can only mean the embedded simulator board.
            if reference == EmbeddedSimulatorSite.boardName { return embeddedBoard(log: log) }
            log.report("board", "board '\(reference)' cannot be found for a site without a folder; only 'simulator' is built in")
            return nil
        }
        let isPath = reference.contains("/") || reference.hasSuffix(".yaml") || reference.hasSuffix(".yml")
        let candidates = (isPath
            ? [reference.hasPrefix("/") ? reference : baseFolder + "/" + reference]
            : ([baseFolder + "/../" + reference, baseFolder + "/boards/" + reference] + boardFolders.map { $0 + "/" + reference })
                .map { $0 + "/board.yaml" })
            .map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        if let file = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) {
            return loadBoard(file: file, log: log)
        }
        if reference == EmbeddedSimulatorSite.boardName { return embeddedBoard(log: log) }
        log.report("board", "board '\(reference)' not found; looked for \(candidates.joined(separator: ", ")); write a board name from boards/ or a path to a board.yaml")
        return nil
    }

    static func embeddedBoard(log: ConfigurationProblemLog) -> BoardDescriptor {
        loadBoard(text: EmbeddedSimulatorSite.boardYAML, file: "embedded simulator board", log: log)
            ?? BoardDescriptor(name: EmbeddedSimulatorSite.boardName, isSimulated: true, lines: [], serialPorts: [], buses: [])
    }

    static func loadBoard(file: String, log: ConfigurationProblemLog) -> BoardDescriptor? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            log.report("board", "cannot read board file \(file); check its permissions")
            return nil
        }
        return loadBoard(text: text, file: file, log: log)
    }

    /// Board problems are collected apart and tagged with the board file, since their lines
    /// are lines of that file, not of the site file.
    static func loadBoard(text: String, file: String, log: ConfigurationProblemLog) -> BoardDescriptor? {
        let boardLog = ConfigurationProblemLog()
        var board: BoardDescriptor?
        if let root = parse(text, log: boardLog, path: "board") {
            board = BoardDescriptorDecoder(log: boardLog).decode(root)
        }
        for problem in boardLog.problems {
            log.report(problem.path, "\(problem.message) (in board file \(file))", line: problem.line)
        }
        return board
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }
}
