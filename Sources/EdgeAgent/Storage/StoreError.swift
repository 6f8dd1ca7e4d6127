import Foundation

/// Why the site store could not be opened or written, phrased for the person who has to fix it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case folderNotWritable(path: String, reason: String)
    case notADatabase(path: String)
    case unreadable(path: String, reason: String)
    case newerSchema(path: String, unknownMigrations: [String])
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .folderNotWritable(path, reason):
            return "state folder \(path) cannot be created or written (\(reason)). "
                + "Create it and give the edge-agent user write access, or pass --state-dir with a writable folder."
        case let .notADatabase(path):
            return "store \(path) is not an edge-agent database (the file is damaged or something else). "
                + "Stop the daemon, move the file aside for inspection, and start again to create a new store."
        case let .unreadable(path, reason):
            return "store \(path) cannot be opened (\(reason)). "
                + "Check the file's owner and permissions and that the disk is mounted read-write."
        case let .newerSchema(path, unknownMigrations):
            return "store \(path) was written by a newer edge-agent (schema steps unknown to this build: "
                + "\(unknownMigrations.joined(separator: ", "))). Install that version again, "
                + "or point --state-dir at a fresh folder; this build will not touch the newer file."
        case let .writeFailed(path, reason):
            return "writing to store \(path) failed (\(reason)). Check free disk space and the file's permissions."
        }
    }
}
