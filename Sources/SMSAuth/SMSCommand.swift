/// What a driver's text asks for. The site decides what a `toggle` means (start when the
/// compartment is free, stop when the sender's session runs there).
public enum SMSCommand: Sendable, Equatable {
    case start(compartment: String)
    case stop(compartment: String)
    /// Only the compartment name was sent.
    case toggle(compartment: String)
    /// Status of one compartment, or of the sender's sessions when nil.
    case status(compartment: String?)
    case help
    case unknown(NotUnderstood)
}

/// Why a text was not understood; each case gets its own reply.
public enum NotUnderstood: Sendable, Equatable {
    /// Nothing but whitespace.
    case empty
    /// Longer than any command; probably not meant for us.
    case tooLong(characters: Int, limit: Int)
    /// Looked like a compartment name, but the site has no such compartment.
    case unknownCompartment(String)
    /// A start or stop keyword without a compartment name. A site may still act on a stop
    /// when the sender has exactly one session.
    case missingCompartment(intent: KeywordIntent)
    /// Junk, emoji only, or chat.
    case unrecognized
}

/// What a keyword without a compartment name asked for.
public enum KeywordIntent: Sendable, Equatable {
    case start
    case stop
}

/// A parsed text and the language to reply in.
public struct ParsedSMS: Sendable, Equatable {
    public let command: SMSCommand
    public let language: SMSLanguage
    /// False when no word in the text told the language and the default was used.
    public let languageDetected: Bool

    public init(command: SMSCommand, language: SMSLanguage, languageDetected: Bool) {
        self.command = command
        self.language = language
        self.languageDetected = languageDetected
    }
}
